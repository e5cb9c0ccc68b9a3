// Package iam owns Cairn's credentials: the YAML credentials file that
// declares accounts, IAM users, role sessions and root access keys, its
// validation, and the Directory that maps an access key ID to the
// identity.Principal it authenticates as. It does not verify signatures
// (package sigv4 does) and has no policies.
//
// # Credentials file
//
//	accounts:
//	  - id: "123456789012"            # exactly 12 digits
//	    alias: dev                    # optional, 3-63 of a-z 0-9 -
//	    rootAccessKeys:               # optional; principal arn:aws:iam::<id>:root
//	      - accessKeyId: AKIAROOT00000000001
//	        secretAccessKey: root-secret
//	    users:                        # principal arn:aws:iam::<id>:user/<name>
//	      - name: alice
//	        userId: AIDAEXAMPLEALICE00001   # optional; derived from the ARN if left out
//	        accessKeys:
//	          - accessKeyId: AKIAALICE000000001
//	            secretAccessKey: alice-secret
//	    roles:                        # principal arn:aws:sts::<id>:assumed-role/<role>/<session>
//	      - name: Deployer
//	        roleId: AROAEXAMPLEDEPLOYER1  # optional; derived from the role ARN if left out
//	        sessions:
//	          - name: ci-pipeline
//	            accessKeys:
//	              - accessKeyId: ASIADEPLOYCI000001
//	                secretAccessKey: ci-secret
//
// Unknown fields are rejected. Validation reports every problem at once,
// each naming where it is and what to change: 12-digit account IDs, unique
// accounts and aliases, IAM-style user, role and session names, unique
// access key IDs across the whole file, non-empty secrets without
// surrounding whitespace. docs/credentials.md is the user-facing version.
//
// # Principals
//
// Users get PrincipalID userId (AIDA...); role sessions get
// "<roleId>:<session>" (AROA...:session); root gets the account ID. When
// the file gives no userId or roleId, a stable 21-character one is derived
// from a SHA-256 of the user's or role's ARN, so IDs survive restarts.
//
// # Modes
//
// In sigv4 mode the gateway calls Lookup and verifies the signature with the
// returned secret. In open mode it calls Resolve, which never fails: a known
// key is its principal, a 12-digit key is the root of that account, anything
// else is the root of the default account (identity.DefaultAccountID unless
// WithDefaultAccount sets another). LoadDirectory("") and an empty file give
// a Directory with no keys, which is all open mode needs.
package iam
