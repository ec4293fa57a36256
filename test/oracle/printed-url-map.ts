/** A url_map as test/oracle/flask_url_map.py prints it from Flask, and `migrate routes --json` from the project. */
export type Scalar = string | number | boolean | null

export interface PrintedRule {
  rule: string
  endpoint: string
  methods: string[] | null
  converters: { variable: string; name: string; args: Scalar[]; kwargs: Record<string, Scalar> }[]
  defaults: Record<string, unknown> | null
  strictSlashes: boolean | null
  redirectTo: string | null
}

export interface PrintedUrlMap {
  rules: PrintedRule[]
  /** Indexes into `rules` in the order Flask added them (the oracle only). */
  registrationOrder?: number[] | null
  strictSlashes: boolean
  hostMatching: boolean
}
