import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { describe, expect, it } from 'vitest'
import { parse, parseDocument } from 'yaml'
import { emitProject, readRuntimeFiles } from '../../src/emit/index.js'
import { emitK8sManifests, envExampleVariables, k8sName } from '../../src/emit/k8s.js'
import { RUNTIME_DIR } from '../../src/emit/runtime-files.js'
import { sampleProject, sampleTranslation } from './fixture.js'

const REPO = resolve(__dirname, '../..')

/** kubernetes-models' classes validate against the Kubernetes OpenAPI schemas they were generated from. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap,
  Secret,
  Deployment,
  Service,
  HorizontalPodAutoscaler,
}

type Manifest = { kind: string; metadata: { name: string; labels: Record<string, string> }; [key: string]: unknown }

async function sampleManifests(): Promise<{ files: Map<string, string>; manifests: Map<string, Manifest> }> {
  const ir = sampleProject()
  const { files } = await emitProject({ ir, app: ir.apps[0], translation: sampleTranslation(), runtimeFiles: await readRuntimeFiles(RUNTIME_DIR) })
  const manifests = new Map<string, Manifest>()
  for (const [path, content] of files) if (path.startsWith('deploy/k8s/')) manifests.set(path, parse(content) as Manifest)
  return { files, manifests }
}

describe('deploy/k8s/', () => {
  it('is valid against the Kubernetes schemas, one object per file', async () => {
    const { files, manifests } = await sampleManifests()
    expect([...manifests.keys()]).toEqual(['deploy/k8s/configmap.yaml', 'deploy/k8s/deployment.yaml', 'deploy/k8s/hpa.yaml', 'deploy/k8s/secret.yaml', 'deploy/k8s/service.yaml'])
    for (const [path, manifest] of manifests) {
      expect(parseDocument(files.get(path) as string).errors, path).toEqual([])
      const Model = MODELS[manifest.kind]
      expect(Model, `${path}: ${manifest.kind}`).toBeDefined()
      expect(() => new Model(manifest as never).validate(), path).not.toThrow()
    }
  })

  it('the schema check does catch a broken manifest', () => {
    const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'x', ports: [{ containerPort: '8080' }], resources: { limits: { cpu: 'lots' } } }] } } } }
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort must be integer/)
  })

  it('has no field the Kubernetes types do not know (tsc over src/emit/k8s.ts, whose objects are typed)', () => {
    // The schemas above accept unknown fields (kubectl would warn or refuse): the types catch them.
    const dir = mkdtempSync(join(tmpdir(), 'migrate-k8s-types-'))
    try {
      const config = { extends: join(REPO, 'tsconfig.json'), compilerOptions: { noEmit: true, typeRoots: [join(REPO, 'node_modules/@types')] }, include: [], files: [join(REPO, 'src/emit/k8s.ts')] }
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config))
      const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' })
      expect(tsc.stdout + tsc.stderr).toBe('')
      expect(tsc.status).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('runs the image with probes, requests and limits, and the settings of the ConfigMap and the Secret', async () => {
    const { manifests } = await sampleManifests()
    const deployment = manifests.get('deploy/k8s/deployment.yaml') as unknown as InstanceType<typeof Deployment>
    const pod = deployment.spec!.template.spec!
    const [container] = pod.containers
    expect(container.readinessProbe?.tcpSocket?.port).toBe('http')
    expect(container.livenessProbe?.tcpSocket?.port).toBe('http')
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }])
    expect(Object.keys(container.resources?.requests ?? {})).toEqual(['cpu', 'memory'])
    expect(Object.keys(container.resources?.limits ?? {})).toEqual(['cpu', 'memory'])
    expect(pod.securityContext?.runAsNonRoot).toBe(true)
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'shop-hono-config' } }, { secretRef: { name: 'shop-hono-secrets' } }])
    expect(manifests.get('deploy/k8s/configmap.yaml')?.metadata.name).toBe('shop-hono-config')
    expect(manifests.get('deploy/k8s/secret.yaml')?.metadata.name).toBe('shop-hono-secrets')
    // The HorizontalPodAutoscaler scales this Deployment, the Service selects its pods; the Deployment leaves replicas to the autoscaler.
    expect(deployment.spec!.replicas).toBeUndefined()
    expect((manifests.get('deploy/k8s/hpa.yaml') as unknown as InstanceType<typeof HorizontalPodAutoscaler>).spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-hono' })
    const service = manifests.get('deploy/k8s/service.yaml') as unknown as InstanceType<typeof Service>
    expect(service.spec!.selector).toEqual(deployment.spec!.template.metadata!.labels)
    expect(deployment.spec!.selector.matchLabels).toEqual(deployment.spec!.template.metadata!.labels)
  })

  it('puts every variable of .env.example in the ConfigMap, the Secret (secrets, with no value) or a commented optional line', async () => {
    const { files, manifests } = await sampleManifests()
    const envExample = envExampleVariables(files.get('.env.example') as string)
    const configMap = manifests.get('deploy/k8s/configmap.yaml') as unknown as { data: Record<string, string> }
    const secret = manifests.get('deploy/k8s/secret.yaml') as unknown as { stringData: Record<string, string> }
    expect(secret.stringData).toEqual({ SECRET_KEY: '', API_TOKEN: '' })
    expect(configMap.data).toMatchObject({ DATABASE_URL: 'sqlite:///shop.db', PORT: '8080', LEGACY_TIMEOUT_MS: '30000' })
    const configText = files.get('deploy/k8s/configmap.yaml') as string
    for (const name of ['LEGACY_URL', 'LEGACY_ROUTES', 'MIGRATE_ADMIN']) {
      expect(configMap.data[name], name).toBeUndefined()
      expect(configText).toContain(`  # ${name}: ""`)
    }
    for (const { name } of envExample) {
      const placed = name in configMap.data || name in secret.stringData || configText.includes(`  # ${name}: ""`)
      expect(placed, name).toBe(true)
    }
    // No secret value anywhere in the manifests.
    for (const [path, content] of files) if (path.startsWith('deploy/')) expect(content).not.toContain('do-not-ship-this-secret')
  })

  it('keeps project text in values: a value cannot add keys or lines', () => {
    const manifests = emitK8sManifests({
      name: 'shop-hono',
      variables: [
        { name: 'GREETING', value: 'hi\nkind: Secret\n# x', secret: false },
        { name: 'QUOTE', value: '"a": [b] {c}', secret: false },
      ],
    })
    expect((parse(manifests.get('deploy/k8s/configmap.yaml') as string) as { kind: string; data: unknown }).data).toEqual({ GREETING: 'hi\nkind: Secret\n# x', QUOTE: '"a": [b] {c}' })
    expect((parse(manifests.get('deploy/k8s/configmap.yaml') as string) as { kind: string }).kind).toBe('ConfigMap')
  })

  it('names every object with a DNS label Kubernetes takes', () => {
    expect(k8sName('shop-hono')).toBe('shop-hono')
    expect(k8sName('2fa-hono')).toBe('app-2fa-hono')
    const long = k8sName(`${'a'.repeat(80)}-hono`)
    expect(`${long}-secrets`.length).toBeLessThanOrEqual(63)
    expect(long).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/)
  })
})
