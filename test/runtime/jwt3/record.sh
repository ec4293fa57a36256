#!/bin/sh
# Records the 3.x oracle's answers to test/runtime/jwt3.test.ts's steps into recorded.json
# (the file the test compares with where the oracle cannot be imported, as in CI).
# Usage: test/runtime/jwt3/oracle.sh [dir]; JWT3_ORACLE_PATH=[dir] test/runtime/jwt3/record.sh
set -eu
cd "$(dirname "$0")/../../.."
RECORD_JWT3=1 npx vitest run test/runtime/jwt3.test.ts
