package main

func lang() {}
