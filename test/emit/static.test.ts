import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
import { MAX_STATIC_FILE_BYTES } from '../../src/emit/static.js'
import { writeFiles } from '../../src/emit/write.js'

/** Static folders carried into the service (issue 10, item 7): copied byte for byte into public/, served by the static rules. */
describe('static folders', () => {
  function project(): string {
    const root = mkdtempSync(join(tmpdir(), 'static-emit-'))
    const files: Record<string, string | Buffer> = {
      'app.py': `from flask import Flask, Blueprint\napp = Flask(__name__)\nbp = Blueprint("docs", __name__, static_folder="docs_static", static_url_path="/d")\napp.register_blueprint(bp, url_prefix="/docs")\n`,
      'static/css/site.css': 'body{}',
      'static/img/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x0d, 0x0a]),
      'static/.env': 'TOKEN=1',
      'static/.git/config': '[core]',
      'docs_static/readme.txt': 'read me',
      'outside/secret.txt': 'not published',
    }
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true })
      writeFileSync(join(root, path), content)
    }
    writeFileSync(join(root, 'static', 'big.bin'), Buffer.alloc(MAX_STATIC_FILE_BYTES + 1))
    symlinkSync('/etc/hostname', join(root, 'static', 'host.txt'))
    symlinkSync(join(root, 'docs_static', 'readme.txt'), join(root, 'static', 'readme-link.txt'))
    return root
  }

  it('copies each static folder into public/ byte for byte, leaves out dotfiles, large files and links out of the project, and reports each', async () => {
    const root = project()
    const result = await runPipeline({ input: root }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const { emitted, report } = result.result
    expect([...emitted.assets.keys()]).toEqual(['public/docs_static/readme.txt', 'public/static/css/site.css', 'public/static/img/logo.png', 'public/static/readme-link.txt'])
    expect(Buffer.from(emitted.assets.get('public/static/img/logo.png')!)).toEqual(readFileSync(join(root, 'static/img/logo.png')))
    const skipped = report.findings.filter((finding) => finding.ruleId === 'static-file-not-copied').map((finding) => finding.message.split(' (')[0])
    expect(skipped.sort()).toEqual(['static/.env', 'static/.git', 'static/big.bin', 'static/host.txt'])
    expect(report.routes.filter((route) => route.endpoint.endsWith('static')).map((route) => [route.endpoint, route.status])).toEqual([['static', 'migrated'], ['docs.static', 'migrated']])
    expect(result.result.files.get('src/routes/app.ts')).toContain(`sendFromDirectory(c, 'public/static',`)
    expect(result.result.files.get('Dockerfile')).toContain('COPY public ./public')
    expect(report.files).toContain('public/static/css/site.css')

    const out = mkdtempSync(join(tmpdir(), 'static-out-'))
    writeFiles(out, result.result.files, emitted.assets)
    expect(readFileSync(join(out, 'public/static/img/logo.png'))).toEqual(readFileSync(join(root, 'static/img/logo.png')))
    const manifest = JSON.parse(readFileSync(join(out, '.migrate-manifest.json'), 'utf8')) as { files: Record<string, string> }
    expect(Object.keys(manifest.files)).toContain('public/static/img/logo.png')
    const again = await runPipeline({ input: root }, await defaultStages())
    if (!again.ok) throw new Error(again.error.message)
    expect([...again.result.emitted.assets]).toEqual([...emitted.assets])
  })
})
