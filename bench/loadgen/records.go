package loadgen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// The event pipeline cases ingest synthetic CloudTrail records. They are
// built to look like a real management-event log: a mix of services and
// operations, read-only and mutating, a few dozen IAM users with their own
// access keys, resources with ARNs, and request and response documents that
// bring a record to about 1 KB. Every record belongs to the signing account.

const (
	// ingestAccount is the account every ingested record belongs to; the
	// ingestion requests are signed with it as the access key (open auth).
	ingestAccount = "123456789012"
	// benchUsers is how many IAM users the records spread over.
	benchUsers = 40
	// resourcePool is how many distinct resource IDs each resource type
	// draws from, so a resource name matches a few dozen events per million.
	resourcePool = 50000
)

// eventKind is one operation the synthetic records perform.
type eventKind struct {
	source, name string
	readOnly     bool
	resourceType string // empty: the record names no resource
	arn          func(id int) string
	params       func(rng *rand.Rand, id int) string
	response     func(rng *rand.Rand, id int) string
}

func ec2ARN(id int) string {
	return fmt.Sprintf("arn:aws:ec2:us-east-1:%s:instance/i-%017x", ingestAccount, id)
}
func s3ARN(id int) string { return fmt.Sprintf("arn:aws:s3:::bench-data-%05d", id) }
func roleARN(id int) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/service-role/bench-role-%05d", ingestAccount, id)
}
func tableARN(id int) string {
	return fmt.Sprintf("arn:aws:dynamodb:us-east-1:%s:table/orders-%05d", ingestAccount, id)
}
func lambdaARN(id int) string {
	return fmt.Sprintf("arn:aws:lambda:us-east-1:%s:function:worker-%05d", ingestAccount, id)
}
func keyARN(id int) string {
	return fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/%08x-0000-4000-8000-%012x", ingestAccount, id, id)
}

var eventKinds = []eventKind{
	{"ec2.amazonaws.com", "DescribeInstances", true, "", nil,
		func(r *rand.Rand, _ int) string {
			return `{"instancesSet":{},"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"team-` + strconv.Itoa(r.IntN(20)) + `"}]}}]}}`
		}, nil},
	{"ec2.amazonaws.com", "RunInstances", false, "AWS::EC2::Instance", ec2ARN,
		func(r *rand.Rand, id int) string {
			return fmt.Sprintf(`{"instancesSet":{"items":[{"imageId":"ami-%017x","minCount":1,"maxCount":1}]},"instanceType":"m7g.large","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"subnetId":"subnet-%017x"}`, r.Uint64()>>4, id)
		},
		func(r *rand.Rand, id int) string {
			return fmt.Sprintf(`{"reservationId":"r-%017x","ownerId":"%s","instancesSet":{"items":[{"instanceId":"i-%017x","instanceState":{"code":0,"name":"pending"}}]}}`, r.Uint64()>>4, ingestAccount, id)
		}},
	{"ec2.amazonaws.com", "TerminateInstances", false, "AWS::EC2::Instance", ec2ARN,
		func(_ *rand.Rand, id int) string {
			return fmt.Sprintf(`{"instancesSet":{"items":[{"instanceId":"i-%017x"}]}}`, id)
		},
		func(_ *rand.Rand, id int) string {
			return fmt.Sprintf(`{"instancesSet":{"items":[{"instanceId":"i-%017x","currentState":{"code":32,"name":"shutting-down"},"previousState":{"code":16,"name":"running"}}]}}`, id)
		}},
	{"s3.amazonaws.com", "CreateBucket", false, "AWS::S3::Bucket", s3ARN,
		func(_ *rand.Rand, id int) string {
			return fmt.Sprintf(`{"bucketName":"bench-data-%05d","Host":"bench-data-%05d.s3.amazonaws.com","x-amz-acl":"private"}`, id, id)
		}, nil},
	{"s3.amazonaws.com", "PutBucketPolicy", false, "AWS::S3::Bucket", s3ARN,
		func(_ *rand.Rand, id int) string {
			return fmt.Sprintf(`{"bucketName":"bench-data-%05d","bucketPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]},"policy":""}`, id)
		}, nil},
	{"iam.amazonaws.com", "GetRole", true, "AWS::IAM::Role", roleARN,
		func(_ *rand.Rand, id int) string { return fmt.Sprintf(`{"roleName":"bench-role-%05d"}`, id) }, nil},
	{"iam.amazonaws.com", "AttachRolePolicy", false, "AWS::IAM::Role", roleARN,
		func(_ *rand.Rand, id int) string {
			return fmt.Sprintf(`{"roleName":"bench-role-%05d","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`, id)
		}, nil},
	{"sts.amazonaws.com", "GetCallerIdentity", true, "", nil, nil, nil},
	{"dynamodb.amazonaws.com", "DescribeTable", true, "AWS::DynamoDB::Table", tableARN,
		func(_ *rand.Rand, id int) string { return fmt.Sprintf(`{"tableName":"orders-%05d"}`, id) }, nil},
	{"dynamodb.amazonaws.com", "UpdateTable", false, "AWS::DynamoDB::Table", tableARN,
		func(r *rand.Rand, id int) string {
			return fmt.Sprintf(`{"tableName":"orders-%05d","provisionedThroughput":{"readCapacityUnits":%d,"writeCapacityUnits":%d}}`, id, 5+r.IntN(100), 5+r.IntN(50))
		}, nil},
	{"lambda.amazonaws.com", "UpdateFunctionCode20150331v2", false, "AWS::Lambda::Function", lambdaARN,
		func(r *rand.Rand, id int) string {
			return fmt.Sprintf(`{"functionName":"worker-%05d","s3Bucket":"deploy-artifacts","s3Key":"worker/%016x.zip","publish":true}`, id, r.Uint64())
		}, nil},
	{"kms.amazonaws.com", "Decrypt", true, "AWS::KMS::Key", keyARN,
		func(_ *rand.Rand, id int) string {
			return `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"` + lambdaARN(id) + `"}}`
		}, nil},
}

// The lookup values of the records, so that the lookup case asks for
// values that are present.
func benchUserName(u int) string { return fmt.Sprintf("bench-user-%02d", u) }
func benchAccessKey(u int) string {
	return fmt.Sprintf("AKIABENCH%011d", u)
}

// recordGen builds records for one ingestion worker.
type recordGen struct {
	rng *rand.Rand
	now time.Time
}

func newRecordGen(worker int, now time.Time) *recordGen {
	return &recordGen{rng: rand.New(rand.NewPCG(uint64(worker)+1, uint64(now.UnixNano()))), now: now}
}

// sample is what the lookup case needs to know of one stored record.
type sample struct {
	EventID, ResourceName string
}

// uuid4 formats 16 random bytes as a version 4 UUID.
func uuid4(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, (b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}

// batch appends a {"Records":[...]} body of n records to dst, and returns
// it with a sample of its first record.
func (g *recordGen) batch(dst []byte, n int) ([]byte, sample) {
	var first sample
	dst = append(dst, `{"Records":[`...)
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		var s sample
		dst, s = g.record(dst)
		if i == 0 {
			first = s
		}
	}
	dst = append(dst, "]}"...)
	return dst, first
}

// record appends one record of about 1 KB. Event times spread over the
// last 14 days, as a backfill of several log sources would.
func (g *recordGen) record(dst []byte) ([]byte, sample) {
	r := g.rng
	k := &eventKinds[r.IntN(len(eventKinds))]
	u := r.IntN(benchUsers)
	id := r.IntN(resourcePool)
	eventID := uuid4(r)
	when := g.now.Add(-time.Duration(r.Int64N(int64(14 * 24 * time.Hour)))).UTC().Format("2006-01-02T15:04:05Z")
	var s sample
	s.EventID = eventID

	dst = append(dst, `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDABENCH`...)
	dst = fmt.Appendf(dst, `%011d","arn":"arn:aws:iam::%s:user/%s","accountId":"%s","accessKeyId":"%s","userName":"%s"`,
		u, ingestAccount, benchUserName(u), ingestAccount, benchAccessKey(u), benchUserName(u))
	dst = append(dst, '}')
	dst = fmt.Appendf(dst, `,"eventTime":"%s","eventSource":"%s","eventName":"%s","awsRegion":"us-east-1"`, when, k.source, k.name)
	dst = fmt.Appendf(dst, `,"sourceIPAddress":"198.51.100.%d","userAgent":"aws-cli/2.17.%d md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.9 md/command#%s"`,
		1+r.IntN(254), r.IntN(40), k.name)
	dst = append(dst, `,"requestParameters":`...)
	if k.params != nil {
		dst = append(dst, k.params(r, id)...)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"responseElements":`...)
	if k.response != nil {
		dst = append(dst, k.response(r, id)...)
	} else {
		dst = append(dst, "null"...)
	}
	dst = fmt.Appendf(dst, `,"requestID":"%s","eventID":"%s","readOnly":%t`, uuid4(r), eventID, k.readOnly)
	if k.resourceType != "" {
		s.ResourceName = k.arn(id)
		dst = fmt.Appendf(dst, `,"resources":[{"accountId":"%s","type":"%s","ARN":"%s"}]`, ingestAccount, k.resourceType, s.ResourceName)
	}
	dst = fmt.Appendf(dst, `,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"%s","eventCategory":"Management"`, ingestAccount)
	dst = fmt.Appendf(dst, `,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%s"}}`,
		k.source[:len(k.source)-len(".amazonaws.com")]+".us-east-1.amazonaws.com")
	return dst, s
}
