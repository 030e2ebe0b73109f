"""Sign-in for people: the authorization-code flow that interactive MCP hosts (Claude, Cursor, VS Code,
ChatGPT) use, in front of Cognito's managed login. Cognito has neither Client ID Metadata Documents
nor Dynamic Client Registration, so a small authorization-server facade (`authserver`, its own
Lambda function, standard library and boto3 only) registers those clients, asks the person's
consent per client, and hands out Cognito's own tokens, which the stack's authorizers already
verify. This package must import nothing at import time: the facade's code is zipped from here.
"""
