import { parentPort } from 'node:worker_threads'
import { auditApp, type AuditTask } from './all-apps.js'

// A worker of `--all-apps`: audits one app per message and answers with its audit. The app's
// trees and translation are garbage once it answers, so a worker holds one app at a time.
parentPort!.on('message', (task: AuditTask) => {
  auditApp(task).then(
    (audit) => parentPort!.postMessage(audit),
    (error: unknown) => parentPort!.postMessage({ root: task.root, ok: false, error: { message: `internal error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, exitCode: 3 } }),
  )
})
