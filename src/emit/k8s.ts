import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { ISecret } from 'kubernetes-models/v1/Secret'
import type { IService } from 'kubernetes-models/v1/Service'
import { Document } from 'yaml'
import type { EnvVariable } from './config.js'

/**
 * deploy/k8s/ of the generated service: a Deployment (probes, resources, the settings from a
 * ConfigMap and a Secret), a Service and a HorizontalPodAutoscaler, for `kubectl apply -f deploy/k8s/`.
 *
 * The objects are typed with kubernetes-models' interfaces (a development dependency, imported
 * for types only) and test/emit/k8s.test.ts validates what is written against the Kubernetes
 * schemas the same package carries. Project text reaches these files only as YAML values written
 * by the `yaml` package, or as comments made of environment variable names (`[A-Za-z_][A-Za-z0-9_]*`).
 */

/** The port the service listens on (PORT in .env.example, the Dockerfile's EXPOSE). */
const PORT = 8080

export interface K8sInput {
  /** The service's name (package.json's), a DNS label or made into one. */
  name: string
  /** The variables of .env.example: the config's, then the legacy fallback's. */
  variables: readonly EnvVariable[]
}

/** A name Kubernetes takes for every object here: an RFC 1035 label (a Service's name must be one). */
export function k8sName(name: string): string {
  let label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
  if (!/^[a-z]/.test(label)) label = `app-${label}`
  // Room for the longest suffix (-secrets) within 63 characters.
  return label.slice(0, 63 - '-secrets'.length).replace(/-+$/, '')
}

/** `deploy/k8s/<file>.yaml` → content. */
export function emitK8sManifests(input: K8sInput): Map<string, string> {
  const name = k8sName(input.name)
  const labels = { 'app.kubernetes.io/name': name }
  const configName = `${name}-config`
  const secretName = `${name}-secrets`
  const variables = uniqueByName(input.variables)
  const settings = variables.filter((variable) => !variable.secret && variable.value !== '')
  const unset = variables.filter((variable) => !variable.secret && variable.value === '')
  const secrets = variables.filter((variable) => variable.secret)

  const configMap: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configName, labels },
    data: Object.fromEntries(settings.map((variable) => [variable.name, variable.value])),
  }
  const secret: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, labels },
    type: 'Opaque',
    stringData: Object.fromEntries(secrets.map((variable) => [variable.name, ''])),
  }
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      // No replicas: the HorizontalPodAutoscaler sets them (a number here would reset them on every apply).
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          // The service stops within SHUTDOWN_TIMEOUT_MS (10 s) of SIGTERM.
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name,
              image: `${name}:0.1.0`,
              ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
              envFrom: [{ configMapRef: { name: configName } }, { secretRef: { name: secretName } }],
              // The app has no health route of its own: a TCP check, as the Dockerfile's HEALTHCHECK.
              readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  }
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels },
    spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  }
  const autoscaler: IHorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  }

  const configDocument = document(configMap, [
    'The settings of .env.example but the secrets (those are in secret.yaml), as environment variables.',
    `PORT must stay ${PORT} unless deployment.yaml's containerPort changes with it.`,
  ])
  if (unset.length > 0) {
    // An empty variable is not an unset one (the config reads `process.env.X ?? default`): these stay commented out.
    const data = configDocument.get('data', true) as { comment?: string | null }
    data.comment = [' Optional, unset (an empty value would not be the same): uncomment to set.', ...unset.map((variable) => ` ${variable.name}: ""`)].join('\n')
  }
  return new Map([
    ['deploy/k8s/configmap.yaml', render(configDocument)],
    [
      'deploy/k8s/secret.yaml',
      render(
        document(secret, [
          'The secrets src/config.ts reads, with no value: fill them in here without committing them, or create',
          `the Secret from your secret store (kubectl create secret generic ${secretName} --from-env-file=.env).`,
        ]),
      ),
    ],
    ['deploy/k8s/deployment.yaml', render(document(deployment, ['The image is the Dockerfile\'s, pushed to a registry the cluster pulls from: set its name here.']))],
    ['deploy/k8s/service.yaml', render(document(service, [`Port 80 inside the cluster, to the container's ${PORT}.`]))],
    ['deploy/k8s/hpa.yaml', render(document(autoscaler, ['From 2 to 10 pods, at 70% of the CPU requested (the metrics server must run in the cluster).']))],
  ])
}

/** The variables a .env.example text sets (`NAME=value` lines; this tool's own text, such as the legacy fallback's). */
export function envExampleVariables(text: string): EnvVariable[] {
  return [...text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)].map((match) => ({ name: match[1], value: match[2], secret: false }))
}

function uniqueByName(variables: readonly EnvVariable[]): EnvVariable[] {
  const seen = new Set<string>()
  return variables.filter((variable) => !seen.has(variable.name) && seen.add(variable.name))
}

function document(value: object, comment: string[]): Document {
  // The same labels object appears thrice in a Deployment: written out each time, not as a YAML alias.
  const doc = new Document(value, { aliasDuplicateObjects: false })
  doc.commentBefore = comment.map((line) => ` ${line}`).join('\n')
  return doc
}

function render(doc: Document): string {
  return doc.toString({ lineWidth: 0 })
}
