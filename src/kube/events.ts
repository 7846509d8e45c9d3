import type { Logger } from 'pino';
import type { KubeClient } from './client.ts';
import type { Clock } from './clock.ts';
import { events } from './resources.ts';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface EventRecorder {
  normal(target: EventTarget, reason: string, message: string): void;
  warning(target: EventTarget, reason: string, message: string): void;
}

/**
 * Writes core/v1 Events. Fire and forget: an Event that cannot be written is logged,
 * it never fails a reconcile.
 */
export function eventRecorder(client: KubeClient, clock: Clock, log: Logger, component = 'aws-secrets-operator'): EventRecorder {
  const record = (type: 'Normal' | 'Warning', target: EventTarget, reason: string, message: string) => {
    const namespace = target.metadata.namespace ?? 'default';
    const now = new Date(clock.now()).toISOString();
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${target.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: target.apiVersion,
        kind: target.kind,
        name: target.metadata.name,
        namespace: target.metadata.namespace,
        uid: target.metadata.uid,
        resourceVersion: target.metadata.resourceVersion,
      },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component },
      reportingComponent: component,
      reportingInstance: component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    client.request('POST', events.path(namespace), { body }).catch((err: Error) =>
      log.warn({ reason, object: `${namespace}/${target.metadata.name}`, err: err.message }, 'could not record event'));
  };
  return {
    normal: (target, reason, message) => record('Normal', target, reason, message),
    warning: (target, reason, message) => record('Warning', target, reason, message),
  };
}
