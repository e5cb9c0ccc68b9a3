package samplequeries

// samples is Cairn's catalogue of sample queries, written for Cairn.
//
// Conventions: the table is always $EDS_ID (the console's placeholder for
// the event data store ID); time windows use date_add on now() rather than
// INTERVAL literals; nested request or response fields are read with
// element_at and, where they are JSON objects, json_extract_scalar or
// regexp_like; values the user is expected to change are example values
// from documentation ranges (192.0.2.0/24, account 111122223333). The SQL
// contains no "?": StartQuery's QueryAlias handling treats every "?" as a
// parameter.
var samples = []Query{
	// ---- Sign-in and credentials ----
	{
		Alias:       "cairn-console-logins",
		Name:        "Console logins",
		Description: "Recent AWS Management Console sign-ins with their outcome, MFA use and source IP address.",
		SQL: `SELECT eventTime, userIdentity.arn AS userArn, sourceIPAddress,
       element_at(responseElements, 'ConsoleLogin') AS outcome,
       element_at(additionalEventData, 'MFAUsed') AS mfaUsed
FROM $EDS_ID
WHERE eventName = 'ConsoleLogin'
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC
LIMIT 100`,
	},
	{
		Alias:       "cairn-console-logins-without-mfa",
		Name:        "Console logins without MFA",
		Description: "Identities that signed in to the console successfully in the last 30 days without using an MFA device.",
		SQL: `SELECT userIdentity.arn AS userArn, count(*) AS logins, max(eventTime) AS lastLogin
FROM $EDS_ID
WHERE eventName = 'ConsoleLogin'
  AND element_at(responseElements, 'ConsoleLogin') = 'Success'
  AND element_at(additionalEventData, 'MFAUsed') = 'No'
  AND eventTime > date_add('day', -30, now())
GROUP BY userIdentity.arn
ORDER BY logins DESC`,
	},
	{
		Alias:       "cairn-failed-console-logins",
		Name:        "Failed console logins",
		Description: "Failed console sign-in attempts grouped by user name and source IP address, most attempts first.",
		SQL: `SELECT userIdentity.userName AS userName, sourceIPAddress, count(*) AS failures,
       min(eventTime) AS firstFailure, max(eventTime) AS lastFailure
FROM $EDS_ID
WHERE eventName = 'ConsoleLogin'
  AND element_at(responseElements, 'ConsoleLogin') = 'Failure'
  AND eventTime > date_add('day', -7, now())
GROUP BY userIdentity.userName, sourceIPAddress
ORDER BY failures DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-root-activity",
		Name:        "Root account activity",
		Description: "Actions taken with the account's root user credentials in the last 30 days.",
		SQL: `SELECT eventTime, eventSource, eventName, awsRegion, sourceIPAddress, userAgent, errorCode
FROM $EDS_ID
WHERE userIdentity.type = 'Root'
  AND userIdentity.invokedBy IS NULL
  AND eventType <> 'AwsServiceEvent'
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC
LIMIT 100`,
	},
	{
		Alias:       "cairn-new-access-keys",
		Name:        "New access keys created",
		Description: "Access keys created for IAM users, with who created each key and the new key's ID.",
		SQL: `SELECT eventTime, userIdentity.arn AS callerArn,
       element_at(requestParameters, 'userName') AS forUser,
       json_extract_scalar(element_at(responseElements, 'accessKey'), '$.accessKeyId') AS accessKeyId,
       sourceIPAddress
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName = 'CreateAccessKey'
  AND errorCode IS NULL
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-long-term-key-usage",
		Name:        "Calls made with long-term access keys",
		Description: "Identities calling AWS with long-term IAM user access keys rather than temporary credentials.",
		SQL: `SELECT userIdentity.arn AS callerArn, userIdentity.accessKeyId AS accessKeyId,
       count(*) AS calls, max(eventTime) AS lastUsed
FROM $EDS_ID
WHERE userIdentity.accessKeyId LIKE 'AKIA%'
  AND eventTime > date_add('day', -7, now())
GROUP BY userIdentity.arn, userIdentity.accessKeyId
ORDER BY calls DESC`,
	},
	{
		Alias:       "cairn-mfa-device-changes",
		Name:        "MFA device changes",
		Description: "MFA devices created, enabled, deactivated or deleted, and by whom.",
		SQL: `SELECT eventTime, eventName, userIdentity.arn AS callerArn,
       element_at(requestParameters, 'userName') AS forUser,
       element_at(requestParameters, 'serialNumber') AS serialNumber, errorCode
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('CreateVirtualMFADevice', 'EnableMFADevice', 'ResyncMFADevice',
                    'DeactivateMFADevice', 'DeleteVirtualMFADevice')
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-password-policy-changes",
		Name:        "Password policy and login profile changes",
		Description: "Changes to the account password policy and to IAM users' console passwords.",
		SQL: `SELECT eventTime, eventName, userIdentity.arn AS callerArn,
       element_at(requestParameters, 'userName') AS forUser, sourceIPAddress, errorCode
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy',
                    'CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile')
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},

	// ---- IAM and roles ----
	{
		Alias:       "cairn-iam-policy-changes",
		Name:        "IAM policy changes",
		Description: "Managed and inline IAM policies created, changed, attached, detached or deleted in the last 30 days.",
		SQL: `SELECT eventTime, eventName, userIdentity.arn AS callerArn,
       element_at(requestParameters, 'policyArn') AS policyArn,
       element_at(requestParameters, 'policyName') AS policyName,
       coalesce(element_at(requestParameters, 'userName'),
                element_at(requestParameters, 'roleName'),
                element_at(requestParameters, 'groupName')) AS attachedTo,
       errorCode
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('CreatePolicy', 'CreatePolicyVersion', 'DeletePolicy', 'DeletePolicyVersion',
                    'SetDefaultPolicyVersion', 'AttachUserPolicy', 'DetachUserPolicy',
                    'AttachRolePolicy', 'DetachRolePolicy', 'AttachGroupPolicy', 'DetachGroupPolicy',
                    'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy',
                    'DeleteUserPolicy', 'DeleteRolePolicy', 'DeleteGroupPolicy')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-iam-principals-created-deleted",
		Name:        "IAM users and roles created or deleted",
		Description: "IAM users, groups and roles that were created or deleted, and role trust policies that were changed.",
		SQL: `SELECT eventTime, eventName, userIdentity.arn AS callerArn,
       coalesce(element_at(requestParameters, 'userName'),
                element_at(requestParameters, 'roleName'),
                element_at(requestParameters, 'groupName')) AS principalName,
       errorCode
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('CreateUser', 'DeleteUser', 'CreateGroup', 'DeleteGroup', 'AddUserToGroup',
                    'CreateRole', 'DeleteRole', 'UpdateAssumeRolePolicy')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-assumed-role-activity",
		Name:        "Assumed-role activity",
		Description: "Calls made with assumed-role sessions, by the role that was assumed, busiest roles first.",
		SQL: `SELECT userIdentity.sessionContext.sessionIssuer.arn AS roleArn, count(*) AS calls,
       approx_distinct(userIdentity.principalId) AS sessions, max(eventTime) AS lastUsed
FROM $EDS_ID
WHERE userIdentity.type = 'AssumedRole'
  AND eventTime > date_add('day', -7, now())
GROUP BY userIdentity.sessionContext.sessionIssuer.arn
ORDER BY calls DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-who-assumed-roles",
		Name:        "Who assumed which role",
		Description: "AssumeRole calls grouped by the role assumed and the caller, including callers from other accounts.",
		SQL: `SELECT element_at(requestParameters, 'roleArn') AS roleArn,
       coalesce(userIdentity.arn, userIdentity.invokedBy) AS caller,
       userIdentity.accountId AS callerAccount, count(*) AS calls
FROM $EDS_ID
WHERE eventSource = 'sts.amazonaws.com'
  AND eventName = 'AssumeRole'
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3
ORDER BY calls DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-federated-sessions",
		Name:        "Federated role sessions",
		Description: "Role sessions started through SAML or web identity federation, by role and identity provider.",
		SQL: `SELECT eventName, element_at(requestParameters, 'roleArn') AS roleArn,
       coalesce(element_at(requestParameters, 'principalArn'), userIdentity.identityProvider) AS identityProvider,
       count(*) AS sessions, max(eventTime) AS lastSession
FROM $EDS_ID
WHERE eventSource = 'sts.amazonaws.com'
  AND eventName IN ('AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity')
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3
ORDER BY sessions DESC`,
	},
	{
		Alias:       "cairn-cross-account-calls",
		Name:        "Calls from other accounts",
		Description: "API calls whose caller belongs to a different account than the one that received them.",
		SQL: `SELECT userIdentity.accountId AS callerAccount, recipientAccountId, eventSource, eventName,
       count(*) AS calls
FROM $EDS_ID
WHERE userIdentity.accountId IS NOT NULL
  AND userIdentity.accountId <> recipientAccountId
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3, 4
ORDER BY calls DESC
LIMIT 50`,
	},

	// ---- Logging and detection ----
	{
		Alias:       "cairn-trail-deleted",
		Name:        "Who deleted a trail",
		Description: "DeleteTrail calls in the last 90 days: the trail, the caller and where the call came from.",
		SQL: `SELECT eventTime, element_at(requestParameters, 'name') AS trail,
       userIdentity.arn AS callerArn, sourceIPAddress, awsRegion, errorCode
FROM $EDS_ID
WHERE eventSource = 'cloudtrail.amazonaws.com'
  AND eventName = 'DeleteTrail'
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-trail-logging-stopped",
		Name:        "Trail logging stopped or changed",
		Description: "StopLogging calls and changes to trail settings or selectors that can reduce what CloudTrail records.",
		SQL: `SELECT eventTime, eventName, element_at(requestParameters, 'name') AS trail,
       userIdentity.arn AS callerArn, sourceIPAddress, errorCode
FROM $EDS_ID
WHERE eventSource = 'cloudtrail.amazonaws.com'
  AND eventName IN ('StopLogging', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors')
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-lake-changes",
		Name:        "Event data store and channel changes",
		Description: "CloudTrail Lake event data stores and channels that were changed, stopped or deleted.",
		SQL: `SELECT eventTime, eventName, userIdentity.arn AS callerArn,
       coalesce(element_at(requestParameters, 'eventDataStore'), element_at(requestParameters, 'channel')) AS resource,
       errorCode
FROM $EDS_ID
WHERE eventSource = 'cloudtrail.amazonaws.com'
  AND eventName IN ('UpdateEventDataStore', 'DeleteEventDataStore', 'StopEventDataStoreIngestion',
                    'UpdateChannel', 'DeleteChannel', 'PutResourcePolicy', 'DeleteResourcePolicy')
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-config-recording-stopped",
		Name:        "AWS Config recording stopped",
		Description: "AWS Config configuration recorders or delivery channels that were stopped or deleted.",
		SQL: `SELECT eventTime, eventName, awsRegion, userIdentity.arn AS callerArn, sourceIPAddress, errorCode
FROM $EDS_ID
WHERE eventSource = 'config.amazonaws.com'
  AND eventName IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel')
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-detection-disabled",
		Name:        "GuardDuty or Security Hub turned off",
		Description: "GuardDuty detectors deleted or detached and Security Hub disabled, by Region and caller.",
		SQL: `SELECT eventTime, eventSource, eventName, awsRegion, userIdentity.arn AS callerArn, errorCode
FROM $EDS_ID
WHERE eventSource IN ('guardduty.amazonaws.com', 'securityhub.amazonaws.com')
  AND eventName IN ('DeleteDetector', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount',
                    'StopMonitoringMembers', 'DeleteMembers', 'DisableSecurityHub')
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-log-groups-deleted",
		Name:        "CloudWatch log groups deleted",
		Description: "CloudWatch Logs log groups or streams deleted and retention settings changed.",
		SQL: `SELECT eventTime, eventName, element_at(requestParameters, 'logGroupName') AS logGroup,
       element_at(requestParameters, 'retentionInDays') AS retentionInDays,
       userIdentity.arn AS callerArn, errorCode
FROM $EDS_ID
WHERE eventSource = 'logs.amazonaws.com'
  AND eventName IN ('DeleteLogGroup', 'DeleteLogStream', 'PutRetentionPolicy', 'DeleteRetentionPolicy')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},

	// ---- Network ----
	{
		Alias:       "cairn-security-groups-open-to-internet",
		Name:        "Security groups opened to the internet",
		Description: "Security group ingress rules added that allow traffic from 0.0.0.0/0 or ::/0.",
		SQL: `SELECT eventTime, eventName, awsRegion, userIdentity.arn AS callerArn,
       element_at(requestParameters, 'groupId') AS groupId,
       coalesce(element_at(requestParameters, 'ipPermissions'),
                element_at(requestParameters, 'ModifySecurityGroupRulesRequest')) AS rules
FROM $EDS_ID
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
  AND errorCode IS NULL
  AND (element_at(requestParameters, 'ipPermissions') LIKE '%0.0.0.0/0%'
       OR element_at(requestParameters, 'ipPermissions') LIKE '%::/0%'
       OR element_at(requestParameters, 'ModifySecurityGroupRulesRequest') LIKE '%0.0.0.0/0%'
       OR element_at(requestParameters, 'ModifySecurityGroupRulesRequest') LIKE '%::/0%')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-security-group-changes",
		Name:        "Security group changes",
		Description: "Security groups created or deleted and their inbound or outbound rules changed.",
		SQL: `SELECT eventTime, eventName, awsRegion, element_at(requestParameters, 'groupId') AS groupId,
       userIdentity.arn AS callerArn, errorCode
FROM $EDS_ID
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName IN ('CreateSecurityGroup', 'DeleteSecurityGroup',
                    'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress',
                    'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'ModifySecurityGroupRules')
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-network-acl-changes",
		Name:        "Network ACL changes",
		Description: "Network ACLs and their entries created, replaced or deleted.",
		SQL: `SELECT eventTime, eventName, awsRegion, element_at(requestParameters, 'networkAclId') AS networkAclId,
       userIdentity.arn AS callerArn, errorCode
FROM $EDS_ID
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName IN ('CreateNetworkAcl', 'DeleteNetworkAcl', 'CreateNetworkAclEntry',
                    'ReplaceNetworkAclEntry', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclAssociation')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-vpc-routing-changes",
		Name:        "VPC routing and gateway changes",
		Description: "Route tables, routes, internet gateways and VPC peering connections that were changed.",
		SQL: `SELECT eventTime, eventName, awsRegion, userIdentity.arn AS callerArn,
       coalesce(element_at(requestParameters, 'routeTableId'),
                element_at(requestParameters, 'internetGatewayId'),
                element_at(requestParameters, 'vpcPeeringConnectionId')) AS resourceId,
       errorCode
FROM $EDS_ID
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName IN ('CreateRoute', 'ReplaceRoute', 'DeleteRoute', 'CreateRouteTable', 'DeleteRouteTable',
                    'AssociateRouteTable', 'DisassociateRouteTable', 'ReplaceRouteTableAssociation',
                    'CreateInternetGateway', 'AttachInternetGateway', 'DetachInternetGateway', 'DeleteInternetGateway',
                    'CreateVpcPeeringConnection', 'AcceptVpcPeeringConnection', 'DeleteVpcPeeringConnection')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-vpc-endpoint-denied",
		Name:        "VPC endpoint access denied",
		Description: "Network activity events denied by a VPC endpoint policy, by service, endpoint and source.",
		SQL: `SELECT eventSource, vpcEndpointId, sourceIPAddress, count(*) AS denials, max(eventTime) AS lastDenied
FROM $EDS_ID
WHERE eventCategory = 'NetworkActivity'
  AND errorCode = 'VpceAccessDenied'
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3
ORDER BY denials DESC`,
	},

	// ---- Data and resources ----
	{
		Alias:       "cairn-s3-bucket-policy-changes",
		Name:        "S3 bucket policy changes",
		Description: "S3 bucket policies, ACLs, ownership controls and public access blocks that were changed or removed.",
		SQL: `SELECT eventTime, eventName, element_at(requestParameters, 'bucketName') AS bucket,
       userIdentity.arn AS callerArn, sourceIPAddress, errorCode
FROM $EDS_ID
WHERE eventSource = 's3.amazonaws.com'
  AND eventName IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketOwnershipControls',
                    'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-s3-buckets-created-deleted",
		Name:        "S3 buckets created or deleted",
		Description: "S3 buckets created or deleted, with the Region and the caller.",
		SQL: `SELECT eventTime, eventName, element_at(requestParameters, 'bucketName') AS bucket, awsRegion,
       userIdentity.arn AS callerArn, errorCode
FROM $EDS_ID
WHERE eventSource = 's3.amazonaws.com'
  AND eventName IN ('CreateBucket', 'DeleteBucket')
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-top-s3-objects",
		Name:        "Most accessed S3 objects",
		Description: "S3 data events by bucket and object key, most-read objects first (needs an event data store that logs S3 data events).",
		SQL: `SELECT element_at(requestParameters, 'bucketName') AS bucket,
       element_at(requestParameters, 'key') AS objectKey,
       count(*) AS reads, approx_distinct(userIdentity.arn) AS readers
FROM $EDS_ID
WHERE eventCategory = 'Data'
  AND eventSource = 's3.amazonaws.com'
  AND eventName = 'GetObject'
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2
ORDER BY reads DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-s3-object-deletions",
		Name:        "S3 object deletions",
		Description: "S3 DeleteObject and DeleteObjects data events by bucket and caller.",
		SQL: `SELECT element_at(requestParameters, 'bucketName') AS bucket, userIdentity.arn AS callerArn,
       eventName, count(*) AS requests, max(eventTime) AS lastDeletion
FROM $EDS_ID
WHERE eventCategory = 'Data'
  AND eventSource = 's3.amazonaws.com'
  AND eventName IN ('DeleteObject', 'DeleteObjects')
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3
ORDER BY requests DESC`,
	},
	{
		Alias:       "cairn-kms-key-deletion",
		Name:        "KMS key deletion scheduled",
		Description: "KMS keys scheduled for deletion, disabled or rescued, with the waiting period requested.",
		SQL: `SELECT eventTime, eventName, element_at(requestParameters, 'keyId') AS keyId,
       element_at(requestParameters, 'pendingWindowInDays') AS pendingWindowInDays,
       awsRegion, userIdentity.arn AS callerArn, errorCode
FROM $EDS_ID
WHERE eventSource = 'kms.amazonaws.com'
  AND eventName IN ('ScheduleKeyDeletion', 'DisableKey', 'CancelKeyDeletion')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-secret-reads",
		Name:        "Secrets Manager secret reads",
		Description: "Who read which Secrets Manager secrets, and how often.",
		SQL: `SELECT element_at(requestParameters, 'secretId') AS secretId, userIdentity.arn AS callerArn,
       count(*) AS reads, max(eventTime) AS lastRead
FROM $EDS_ID
WHERE eventSource = 'secretsmanager.amazonaws.com'
  AND eventName = 'GetSecretValue'
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2
ORDER BY reads DESC`,
	},
	{
		Alias:       "cairn-public-snapshots-images",
		Name:        "Snapshots and AMIs shared publicly",
		Description: "EBS snapshots and machine images whose permissions were changed to allow everyone.",
		SQL: `SELECT eventTime, eventName, awsRegion,
       coalesce(element_at(requestParameters, 'snapshotId'), element_at(requestParameters, 'imageId')) AS resourceId,
       userIdentity.arn AS callerArn
FROM $EDS_ID
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName IN ('ModifySnapshotAttribute', 'ModifyImageAttribute')
  AND errorCode IS NULL
  AND (regexp_like(element_at(requestParameters, 'createVolumePermission'), '"group"\s*:\s*"all"')
       OR regexp_like(element_at(requestParameters, 'launchPermission'), '"group"\s*:\s*"all"'))
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-ec2-instances-launched",
		Name:        "EC2 instances launched",
		Description: "Successful RunInstances calls by Region, instance type and caller.",
		SQL: `SELECT awsRegion, element_at(requestParameters, 'instanceType') AS instanceType,
       userIdentity.arn AS callerArn, count(*) AS launches, max(eventTime) AS lastLaunch
FROM $EDS_ID
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName = 'RunInstances'
  AND errorCode IS NULL
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3
ORDER BY launches DESC`,
	},
	{
		Alias:       "cairn-lambda-changes",
		Name:        "Lambda function changes",
		Description: "Lambda functions created, deleted, or given new code, configuration or permissions.",
		SQL: `SELECT eventTime, eventName, element_at(requestParameters, 'functionName') AS functionName,
       awsRegion, userIdentity.arn AS callerArn, errorCode
FROM $EDS_ID
WHERE eventSource = 'lambda.amazonaws.com'
  AND (eventName LIKE 'CreateFunction%' OR eventName LIKE 'DeleteFunction%'
       OR eventName LIKE 'UpdateFunctionCode%' OR eventName LIKE 'UpdateFunctionConfiguration%'
       OR eventName LIKE 'AddPermission%')
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-organizations-changes",
		Name:        "AWS Organizations changes",
		Description: "Changes to the organization: accounts, organizational units and policies.",
		SQL: `SELECT eventTime, eventName, userIdentity.arn AS callerArn, sourceIPAddress, errorCode
FROM $EDS_ID
WHERE eventSource = 'organizations.amazonaws.com'
  AND readOnly = false
  AND eventTime > date_add('day', -90, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-resources-deleted",
		Name:        "Resources deleted",
		Description: "Successful Delete calls in the last 24 hours, by service, action and caller.",
		SQL: `SELECT eventSource, eventName, userIdentity.arn AS callerArn, count(*) AS deletions,
       max(eventTime) AS lastDeletion
FROM $EDS_ID
WHERE eventName LIKE 'Delete%'
  AND readOnly = false
  AND errorCode IS NULL
  AND eventTime > date_add('hour', -24, now())
GROUP BY 1, 2, 3
ORDER BY deletions DESC`,
	},
	{
		Alias:       "cairn-resource-events",
		Name:        "Events for one resource",
		Description: "Every recorded action on one resource, found by ARN (replace the example ARN).",
		SQL: `SELECT eventTime, eventSource, eventName, userIdentity.arn AS callerArn, sourceIPAddress, errorCode
FROM $EDS_ID
WHERE any_match(resources, r -> r.arn = 'arn:aws:s3:::amzn-s3-demo-bucket')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC
LIMIT 500`,
	},

	// ---- Investigation and operations ----
	{
		Alias:       "cairn-activity-from-ip",
		Name:        "Activity from an IP address",
		Description: "Everything done from one source IP address in the last 30 days (replace 192.0.2.10).",
		SQL: `SELECT eventTime, eventSource, eventName, userIdentity.arn AS callerArn, awsRegion, errorCode
FROM $EDS_ID
WHERE sourceIPAddress = '192.0.2.10'
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC
LIMIT 500`,
	},
	{
		Alias:       "cairn-user-activity",
		Name:        "Activity of one identity",
		Description: "Everything one IAM user or role did in the last 7 days (replace the example ARN).",
		SQL: `SELECT eventTime, eventSource, eventName, awsRegion, sourceIPAddress, readOnly, errorCode
FROM $EDS_ID
WHERE userIdentity.arn = 'arn:aws:iam::111122223333:user/example-user'
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC
LIMIT 500`,
	},
	{
		Alias:       "cairn-console-changes",
		Name:        "Console changes by user",
		Description: "Changes made through the AWS Management Console, by user and action.",
		SQL: `SELECT userIdentity.arn AS userArn, eventSource, eventName, count(*) AS changes,
       max(eventTime) AS lastChange
FROM $EDS_ID
WHERE sessionCredentialFromConsole = 'true'
  AND readOnly = false
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3
ORDER BY changes DESC
LIMIT 100`,
	},
	{
		Alias:       "cairn-access-denied",
		Name:        "Access denied by user",
		Description: "Callers whose requests were denied for lack of permissions, by action, most denials first.",
		SQL: `SELECT userIdentity.arn AS callerArn, eventSource, eventName, count(*) AS denials
FROM $EDS_ID
WHERE errorCode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation',
                    'Client.UnauthorizedOperation')
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3
ORDER BY denials DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-top-api-callers",
		Name:        "Top API callers",
		Description: "The identities that made the most management API calls in the last 24 hours.",
		SQL: `SELECT userIdentity.arn AS callerArn, count(*) AS calls, approx_distinct(eventName) AS distinctActions
FROM $EDS_ID
WHERE eventCategory = 'Management'
  AND eventTime > date_add('hour', -24, now())
GROUP BY userIdentity.arn
ORDER BY calls DESC
LIMIT 20`,
	},
	{
		Alias:       "cairn-top-api-actions",
		Name:        "Most frequent API actions",
		Description: "The API actions called most often in the last 24 hours, by service.",
		SQL: `SELECT eventSource, eventName, count(*) AS calls
FROM $EDS_ID
WHERE eventTime > date_add('hour', -24, now())
GROUP BY eventSource, eventName
ORDER BY calls DESC
LIMIT 25`,
	},
	{
		Alias:       "cairn-events-by-region",
		Name:        "Events by Region",
		Description: "Events per AWS Region in the last 7 days, to spot activity in Regions you do not use.",
		SQL: `SELECT awsRegion, count(*) AS eventCount, min(eventTime) AS firstEvent, max(eventTime) AS lastEvent
FROM $EDS_ID
WHERE eventTime > date_add('day', -7, now())
GROUP BY awsRegion
ORDER BY eventCount DESC`,
	},
	{
		Alias:       "cairn-errors-by-service",
		Name:        "Errors by service",
		Description: "Error codes returned in the last 24 hours, by service, most frequent first.",
		SQL: `SELECT eventSource, errorCode, count(*) AS errors, approx_distinct(userIdentity.arn) AS callers
FROM $EDS_ID
WHERE errorCode IS NOT NULL
  AND eventTime > date_add('hour', -24, now())
GROUP BY eventSource, errorCode
ORDER BY errors DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-throttled-calls",
		Name:        "Throttled API calls",
		Description: "Calls rejected by throttling, by service, action and caller.",
		SQL: `SELECT eventSource, eventName, userIdentity.arn AS callerArn, count(*) AS throttled
FROM $EDS_ID
WHERE errorCode IN ('ThrottlingException', 'Throttling', 'RequestLimitExceeded',
                    'TooManyRequestsException', 'SlowDown')
  AND eventTime > date_add('day', -1, now())
GROUP BY 1, 2, 3
ORDER BY throttled DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-hourly-event-volume",
		Name:        "Event volume per hour",
		Description: "Events per hour and category over the last 2 days, to spot bursts and gaps.",
		SQL: `SELECT date_trunc('hour', eventTime) AS hourStart, eventCategory, count(*) AS eventCount
FROM $EDS_ID
WHERE eventTime > date_add('day', -2, now())
GROUP BY 1, 2
ORDER BY 1, 2`,
	},
	{
		Alias:       "cairn-old-tls",
		Name:        "Calls over old TLS versions",
		Description: "Callers and clients still using TLS 1.0 or 1.1, by service.",
		SQL: `SELECT eventSource, tlsDetails.tlsVersion AS tlsVersion, userIdentity.arn AS callerArn, userAgent,
       count(*) AS calls
FROM $EDS_ID
WHERE tlsDetails.tlsVersion IN ('TLSv1', 'TLSv1.1')
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3, 4
ORDER BY calls DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-top-user-agents",
		Name:        "Most common user agents",
		Description: "The SDKs, tools and consoles that call AWS most, with the number of distinct callers.",
		SQL: `SELECT userAgent, count(*) AS calls, approx_distinct(userIdentity.arn) AS callers
FROM $EDS_ID
WHERE eventTime > date_add('day', -1, now())
GROUP BY userAgent
ORDER BY calls DESC
LIMIT 25`,
	},

	// ---- Other event data store types ----
	{
		Alias:       "cairn-channel-events-by-source",
		Name:        "Channel events by source",
		Description: "Events from outside AWS, ingested through channels into an ActivityAuditLog event data store, by channel and event source.",
		SQL: `SELECT metadata.channelArn AS channelArn, eventData.eventSource AS eventSource,
       count(*) AS eventCount, max(eventTime) AS lastEvent
FROM $EDS_ID
WHERE eventCategory = 'ActivityAuditLog'
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2
ORDER BY eventCount DESC`,
	},
	{
		Alias:       "cairn-channel-top-actors",
		Name:        "Top actors in channel events",
		Description: "The principals behind the most events from outside AWS that channels delivered, by event source and action.",
		SQL: `SELECT eventData.userIdentity.principalId AS principalId, eventData.userIdentity.type AS principalType,
       eventData.eventSource AS eventSource, eventData.eventName AS eventName, count(*) AS eventCount
FROM $EDS_ID
WHERE eventCategory = 'ActivityAuditLog'
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2, 3, 4
ORDER BY eventCount DESC
LIMIT 50`,
	},
	{
		Alias:       "cairn-channel-errors",
		Name:        "Failed actions in channel events",
		Description: "Events from outside AWS, delivered through channels, that report an error, by event source and error code.",
		SQL: `SELECT eventData.eventSource AS eventSource, eventData.errorCode AS errorCode,
       count(*) AS eventCount, max(eventTime) AS lastEvent
FROM $EDS_ID
WHERE eventCategory = 'ActivityAuditLog'
  AND eventData.errorCode IS NOT NULL
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2
ORDER BY eventCount DESC`,
	},
	{
		Alias:       "cairn-insights-events",
		Name:        "Insights events",
		Description: "Unusual API call or error rates detected by CloudTrail Insights (query an Insights event data store).",
		SQL: `SELECT eventTime, insightState, insightType, insightEventSource, insightEventName, insightErrorCode
FROM $EDS_ID
WHERE eventCategory = 'Insight'
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
	},
	{
		Alias:       "cairn-config-items-by-type",
		Name:        "Configuration changes by resource type",
		Description: "AWS Config configuration items by resource type and status (query a Config event data store).",
		SQL: `SELECT eventData.resourceType AS resourceType, eventData.configurationItemStatus AS status,
       count(*) AS items, max(eventTime) AS lastChange
FROM $EDS_ID
WHERE eventCategory = 'ConfigurationItem'
  AND eventTime > date_add('day', -7, now())
GROUP BY 1, 2
ORDER BY items DESC`,
	},
}
