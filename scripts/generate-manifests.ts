// `make manifests`: writes deploy/aws-secrets-operator.yaml, the chart's rendering with its default values, for users
// who install with kubectl. test/integration/helm-chart.test.ts fails when the file and the chart disagree.
import { writeFileSync } from 'node:fs';
import { DEPLOY_MANIFEST, renderDeployManifest } from '../dev/chart.ts';

writeFileSync(DEPLOY_MANIFEST, renderDeployManifest());
console.log(`wrote ${DEPLOY_MANIFEST}`);
