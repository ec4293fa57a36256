from legacyapp import app
