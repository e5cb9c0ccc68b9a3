package policy

// Policies from the CloudTrail User Guide ("AWS CloudTrail resource-based
// policy examples" and "Create a dashboard with the AWS CLI") and the
// external-ID channel policy of the PutAuditEvents integration guide.

const (
	guideChannelARN   = "arn:aws:cloudtrail:us-east-1:777788889999:channel/EXAMPLE-80b5-40a7-ae65-6e099392355b"
	partnerChannelARN = "arn:aws:cloudtrail:us-east-1:777777777777:channel/EXAMPLE-80b5-40a7-ae65-6e099392355b"
	crossAccountEDS   = "arn:aws:cloudtrail:us-east-1:555555555555:eventdatastore/example80-699f-4045-a7d2-730dbf313ccf"
	dashboardOwnerEDS = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
	exampleDashARN    = "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/exampleDash"
)

var (
	guideChannel   = Resource{Type: Channel, ARN: guideChannelARN, OwnerAccount: "777788889999"}
	partnerChannel = Resource{Type: Channel, ARN: partnerChannelARN, OwnerAccount: "777777777777"}
	crossAccount   = Resource{Type: EventDataStore, ARN: crossAccountEDS, OwnerAccount: "555555555555"}
	dashboardEDS   = Resource{Type: EventDataStore, ARN: dashboardOwnerEDS, OwnerAccount: "123456789012"}
	exampleDash    = Resource{Type: Dashboard, ARN: exampleDashARN, OwnerAccount: "123456789012"}
)

const guideChannelPrincipals = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ChannelPolicy",
            "Effect": "Allow",
            "Principal": {
                "AWS": [
                    "arn:aws:iam::111122223333:root",
                    "arn:aws:iam::444455556666:root",
                    "arn:aws:iam::123456789012:root"
                ]
            },
            "Action": "cloudtrail-data:PutAuditEvents",
            "Resource": "arn:aws:cloudtrail:us-east-1:777788889999:channel/EXAMPLE-80b5-40a7-ae65-6e099392355b"
        }
    ]
}`

const guideChannelExternalID = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ChannelPolicy",
            "Effect": "Allow",
            "Principal": {
                "AWS": [
                    "arn:aws:iam::111122223333:root",
                    "arn:aws:iam::444455556666:root",
                    "arn:aws:iam::123456789012:root"
                ]
            },
            "Action": "cloudtrail-data:PutAuditEvents",
            "Resource": "arn:aws:cloudtrail:us-east-1:777788889999:channel/EXAMPLE-80b5-40a7-ae65-6e099392355b",
            "Condition": {
                "StringEquals": {
                    "cloudtrail:ExternalId": "uniquePartnerExternalID"
                }
            }
        }
    ]
}`

const partnerChannelPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"ChannelPolicy","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":"cloudtrail-data:PutAuditEvents","Resource":"arn:aws:cloudtrail:us-east-1:777777777777:channel/EXAMPLE-80b5-40a7-ae65-6e099392355b","Condition":{"StringEquals":{"cloudtrail:ExternalId":"UniqueExternalIDFromPartner"}}}]}`

const guideEDSForDashboards = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "Service": "cloudtrail.amazonaws.com"
            },
            "Action": [
                "cloudtrail:StartQuery"
            ],
            "Resource": "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/*",
            "Condition": {
               "StringLike": {
                  "AWS:SourceArn": [
                     "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/example-dashboard1",
                     "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/example-dashboard2",
                     "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/AWSCloudTrail-Highlights"
                  ],
                  "AWS:SourceAccount": "123456789012"
               }
            }
        }
    ]
}`

const guideEDSCrossAccount = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "policy1",
      "Effect": "Allow",
      "Principal": {
        "AWS": [
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::777777777777:root",
            "arn:aws:iam::999999999999:root",
            "arn:aws:iam::111111111111:root"
        ]
      },
      "Action": [
        "cloudtrail:StartQuery",
        "cloudtrail:GetEventDataStore",
        "cloudtrail:GetQueryResults"
      ],
      "Resource": "arn:aws:cloudtrail:us-east-1:555555555555:eventdatastore/example80-699f-4045-a7d2-730dbf313ccf"
    }
  ]
}`

const guideDashboard = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "Service": "cloudtrail.amazonaws.com"
            },
            "Action": [
                "cloudtrail:StartDashboardRefresh"
            ],
            "Resource": "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/*",
            "Condition": {
                "StringEquals": {
                    "AWS:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/exampleDash",
                    "AWS:SourceAccount": "123456789012"
                }
            }
        }
    ]
}`

// The CLI guide's policies have no Resource element.
const cliEDSPolicy = `{"Version": "2012-10-17", "Statement": [{"Sid": "EDSPolicy", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "cloudtrail:StartQuery", "Condition": { "StringEquals": { "AWS:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/exampleDash", "AWS:SourceAccount": "123456789012"}}} ]}`

const cliDashboardPolicy = `{"Version": "2012-10-17", "Statement": [{"Sid": "DashboardPolicy", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "cloudtrail:StartDashboardRefresh", "Condition": { "StringEquals": { "AWS:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/exampleDash", "AWS:SourceAccount": "123456789012"}}}]}`

var documentedPolicies = []struct {
	name     string
	resource Resource
	document string
}{
	{"channel: principals", guideChannel, guideChannelPrincipals},
	{"channel: external ID", guideChannel, guideChannelExternalID},
	{"channel: partner external ID", partnerChannel, partnerChannelPolicy},
	{"event data store: dashboard queries", dashboardEDS, guideEDSForDashboards},
	{"event data store: cross-account queries", crossAccount, guideEDSCrossAccount},
	{"event data store: CLI dashboard queries", dashboardEDS, cliEDSPolicy},
	{"dashboard: refresh schedule", exampleDash, guideDashboard},
	{"dashboard: CLI refresh schedule", exampleDash, cliDashboardPolicy},
}
