package eventgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

// Generator makes realistic CloudTrail records of about 1 KB: a few
// hundred users and access keys, API names with a skewed distribution
// (some very rare), resources on a third of the events.
type Generator struct {
	rng      *rand.Rand
	accounts []string
	regions  []string
}

var (
	genSources = []string{
		"cloudtrail.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com", "ec2.amazonaws.com",
		"sts.amazonaws.com", "kms.amazonaws.com", "lambda.amazonaws.com", "dynamodb.amazonaws.com",
	}
	genNames = []string{
		"DescribeTrails", "GetTrailStatus", "ListTags", "LookupEvents", "GetEventSelectors",
		"ListBuckets", "GetBucketAcl", "PutBucketPolicy", "CreateBucket", "DeleteBucket",
		"GetUser", "ListRoles", "CreateRole", "AttachRolePolicy", "DeleteRole",
		"DescribeInstances", "RunInstances", "TerminateInstances", "DescribeVolumes", "CreateTags",
		"AssumeRole", "GetCallerIdentity", "Decrypt", "GenerateDataKey", "Invoke",
		"CreateTrail", "DeleteTrail", "StopLogging", "StartLogging", "PutEventSelectors",
	}
)

// New returns a Generator whose records depend only on seed.
func New(seed uint64) *Generator {
	return &Generator{
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		accounts: []string{"123456789012", "210987654321"},
		regions:  []string{"us-east-1", "eu-west-1"},
	}
}

// name picks an event name with exponentially falling weights, so the
// last names are rare (about one event in several thousand).
func (g *Generator) name() string {
	for {
		i := int(g.rng.ExpFloat64() * 4)
		if i < len(genNames) {
			return genNames[i]
		}
	}
}

func (g *Generator) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, b>>48&0xfff, b&0xffffffffffff)
}

// Record makes one record at time t.
func (g *Generator) Record(t time.Time) events.Record {
	account := g.accounts[0]
	region := g.regions[0]
	if g.rng.IntN(10) == 0 {
		account = g.accounts[1]
	}
	if g.rng.IntN(10) == 0 {
		region = g.regions[1]
	}
	user := g.rng.IntN(300)
	key := fmt.Sprintf("AKIA%016d", user*4+g.rng.IntN(4))
	name := g.name()
	source := genSources[len(name)%len(genSources)]
	readOnly := strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") || name == "LookupEvents"
	ui := &events.UserIdentity{
		Type: "IAMUser", PrincipalID: fmt.Sprintf("AIDA%016d", user),
		ARN: fmt.Sprintf("arn:aws:iam::%s:user/user-%d", account, user), AccountID: account,
		AccessKeyID: key, UserName: fmt.Sprintf("user-%d", user),
	}
	if user%5 == 0 {
		ui = &events.UserIdentity{
			Type: "AssumedRole", PrincipalID: fmt.Sprintf("AROA%016d:session-%d", user, user),
			ARN:       fmt.Sprintf("arn:aws:sts::%s:assumed-role/role-%d/session-%d", account, user%7, user),
			AccountID: account, AccessKeyID: fmt.Sprintf("ASIA%016d", user*4+g.rng.IntN(4)),
			SessionContext: &events.SessionContext{
				SessionIssuer: &events.SessionIssuer{
					Type: "Role", PrincipalID: fmt.Sprintf("AROA%016d", user),
					ARN:       fmt.Sprintf("arn:aws:iam::%s:role/role-%d", account, user%7),
					AccountID: account, UserName: fmt.Sprintf("role-%d", user%7),
				},
				WebIDFederationData: &events.WebIDFederationData{},
				Attributes:          &events.SessionAttributes{CreationDate: t.Add(-time.Hour).Format(events.TimeFormat), MFAAuthenticated: "false"},
			},
		}
	}
	bucket := fmt.Sprintf("bucket-%d", g.rng.IntN(50000))
	params, _ := json.Marshal(map[string]any{
		"bucketName": bucket,
		"filter":     map[string]any{"maxResults": g.rng.IntN(50), "prefix": strings.Repeat("p", g.rng.IntN(40))},
		"tags":       []any{map[string]string{"key": "team", "value": fmt.Sprintf("team-%d", g.rng.IntN(20))}},
		"note":       strings.Repeat("x", 150+g.rng.IntN(100)),
	})
	r := events.Record{
		EventVersion:       "1.11",
		UserIdentity:       ui,
		EventTime:          t,
		EventSource:        source,
		EventName:          name,
		AWSRegion:          region,
		SourceIPAddress:    fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), g.rng.IntN(256)),
		UserAgent:          "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12 prompt/off command/" + strings.ToLower(name),
		RequestParameters:  params,
		ResponseElements:   events.Null,
		RequestID:          g.uuid(),
		EventID:            g.uuid(),
		ReadOnly:           events.Bool(readOnly),
		EventType:          events.TypeAPICall,
		ManagementEvent:    events.Bool(true),
		RecipientAccountID: account,
		EventCategory:      events.CategoryManagement,
		TLSDetails: &events.TLSDetails{
			TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256",
			ClientProvidedHostHeader: strings.Split(source, ".")[0] + "." + region + ".amazonaws.com",
		},
	}
	if !readOnly {
		r.ResponseElements = json.RawMessage(`{"requestId":"` + g.uuid() + `"}`)
	}
	if g.rng.IntN(3) == 0 {
		r.Resources = []events.Resource{{ARN: "arn:aws:s3:::" + bucket, AccountID: account, Type: "AWS::S3::Bucket"}}
	}
	if g.rng.IntN(20) == 0 {
		r.ErrorCode, r.ErrorMessage = "AccessDenied", "User is not authorized to perform "+name
	}
	return r
}

// Batch makes n records with times starting at t, step apart.
func (g *Generator) Batch(n int, t time.Time, step time.Duration) []events.Record {
	out := make([]events.Record, n)
	for i := range out {
		out[i] = g.Record(t.Add(time.Duration(i) * step))
	}
	return out
}

// Pool repeats a set of generated records with fresh event IDs and times,
// so that load tests spend their CPU on the store rather than on
// generating.
type Pool struct {
	recs []events.Record
}

// NewPool generates n records to repeat.
func NewPool(seed uint64, n int) *Pool {
	g := New(seed)
	return &Pool{recs: g.Batch(n, time.Unix(0, 0), time.Second)}
}

// Batch returns n records numbered from first, at times from t, step apart.
func (p *Pool) Batch(first int64, n int, t time.Time, step time.Duration) []events.Record {
	out := make([]events.Record, n)
	for i := range out {
		k := first + int64(i)
		out[i] = p.recs[k%int64(len(p.recs))]
		out[i].EventTime = t.Add(time.Duration(i) * step)
		out[i].EventID = EventID(k)
	}
	return out
}

// EventID is the eventID Batch gives record number k.
func EventID(k int64) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", k>>48, k&0xffffffffffff)
}
