// A cdk8s app whose Deployment is broken after the construct rendered it (replicas as text), for the
// test that `cdk8s synth` fails on it through the validation plugin of cdk8s.yaml.
import { App, Chart, JsonPatch } from 'cdk8s';
import { Gateway } from '../../lib';
import { seedSpec } from '../support/fixtures';

const app = new App();
const gateway = new Gateway(new Chart(app, 'broken'), 'Gateway', { ...seedSpec(), name: 'gateway', namespace: 'hanzo' });
gateway.deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 'two'));
app.synth();
