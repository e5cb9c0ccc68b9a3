package integration

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/queryresults"
	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/testenv"
)

func storeID(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// Queries over a channel's store (integration schema), a union with a
// CloudTrail store (Lake's varchar/timestamp coercion), a join of two
// stores, a store of another account through its resource policy, and
// results delivered to S3 with a sign file that verifies.
func TestLakeQuery_StoresOfEveryKind(t *testing.T) {
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	ctx := t.Context()
	activity := activityStore(t, ct, "okta")
	ch, err := ct.CreateChannel(ctx, &cloudtrail.CreateChannelInput{Name: aws.String("okta"), Source: aws.String("Custom"),
		Destinations: []types.Destination{{Type: types.DestinationTypeEventDataStore, Location: aws.String(activity)}}})
	must(t, err, "CreateChannel")
	mgmt, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("mgmt")})
	must(t, err, "CreateEventDataStore")
	for i, user := range []string{"ann", "ben", "ann"} {
		data := fmt.Sprintf(`{"version":"1.0","userIdentity":{"type":"OktaUser","principalId":%q,"details":{"alternateId":"%s@example.com","displayName":%q}},"eventSource":"okta.system-log-events","eventName":"user.session.start","eventTime":"2026-11-20T10:0%d:00Z","UID":"u%d","recipientAccountId":%q,"requestParameters":{"client":{"ip":"192.0.2.1"}}}`, user, user, strings.ToUpper(user), i, i, accountA)
		if resp := putAuditEvents(t, srv, accountA, usEast1, *ch.ChannelArn, nil, auditEvent(fmt.Sprint(i), data)); resp.status != 200 {
			t.Fatalf("PutAuditEvents: %d %s", resp.status, resp.raw)
		}
	}
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("nope")})
	wantAPIError(t, err, "TrailNotFoundException", 404)

	// The integration schema: eventData and metadata.
	qid, d := runQuery(t, ct, fmt.Sprintf(`SELECT eventData.userIdentity.principalId AS user, element_at(eventData.userIdentity.details, 'displayName') AS name, count(*) AS n
		FROM %s WHERE eventData.eventSource = 'okta.system-log-events' AND metadata.channelArn = '%s' GROUP BY 1, 2 ORDER BY user`, storeID(activity), *ch.ChannelArn))
	if d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("%s: %s", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	rows := allRows(t, ct, qid, 10)
	if want := [][]string{{"user=ann", "name=ANN", "n=2"}, {"user=ben", "name=BEN", "n=1"}}; !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("rows = %v, want %v", rows, want)
	}

	// UNION of a varchar eventData.eventTime with a timestamp eventTime, as
	// the Okta integration's published query does.
	qid, d = runQuery(t, ct, fmt.Sprintf(`SELECT eventData.eventTime AS eventTime, eventData.eventName AS eventName FROM %s WHERE eventData.eventSource = 'okta.system-log-events'
		UNION SELECT eventTime, eventName FROM %s WHERE eventName = 'GetTrail' ORDER BY eventName`, storeID(activity), storeID(*mgmt.EventDataStoreArn)))
	if d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("union: %s: %s", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	if rows = allRows(t, ct, qid, 100); len(rows) != 4 || rows[0][1] != "eventName=GetTrail" {
		t.Fatalf("union rows = %v", rows)
	}

	// A join of two stores.
	second, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("writes"),
		AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("readOnly"), Equals: []string{"false"}}}}}})
	must(t, err, "CreateEventDataStore writes")
	_, err = ct.PutResourcePolicy(ctx, &cloudtrail.PutResourcePolicyInput{ResourceArn: second.EventDataStoreArn,
		ResourcePolicy: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"cloudtrail:StartQuery"}]}`, accountB))})
	must(t, err, "PutResourcePolicy")
	_, err = ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: second.EventDataStoreArn, TagsList: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	must(t, err, "AddTags")
	qid, d = runQuery(t, ct, fmt.Sprintf(`SELECT a.eventName, count(*) AS n FROM %s a JOIN %s AS b ON a.eventID = b.eventID GROUP BY a.eventName ORDER BY 1`,
		storeID(*mgmt.EventDataStoreArn), storeID(*second.EventDataStoreArn)))
	if d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("join: %s: %s", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	names := map[string]bool{}
	for _, r := range allRows(t, ct, qid, 100) {
		names[strings.TrimPrefix(r[0], "eventName=")] = true
	}
	// Writes made after the second store was created are in both; reads
	// and earlier writes are not.
	if !names["AddTags"] || !names["PutResourcePolicy"] || names["GetTrail"] || names["CreateChannel"] {
		t.Fatalf("join found %v", names)
	}

	// Account B reads the second store through its policy, not the first.
	ctB := srv.CloudTrail(accountB, usEast1)
	started, err := ctB.StartQuery(ctx, &cloudtrail.StartQueryInput{EventDataStoreOwnerAccountId: aws.String(accountA),
		QueryStatement: aws.String("SELECT eventName FROM " + storeID(*second.EventDataStoreArn))})
	must(t, err, "cross-account StartQuery")
	if *started.EventDataStoreOwnerAccountId != accountA {
		t.Errorf("EventDataStoreOwnerAccountId = %v", started.EventDataStoreOwnerAccountId)
	}
	if d := waitQuery(t, ctB, *started.QueryId); d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("cross-account query: %s %s", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	_, err = ctB.StartQuery(ctx, &cloudtrail.StartQueryInput{EventDataStoreOwnerAccountId: aws.String(accountA),
		QueryStatement: aws.String("SELECT eventName FROM " + storeID(*mgmt.EventDataStoreArn))})
	wantAPIError(t, err, "InvalidQueryStatementException", 400)

	// Delivery to S3, verified as `aws cloudtrail verify-query-results` does.
	createBucket(t, srv, accountA, "query-results")
	_, err = ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String("SELECT 1 FROM " + storeID(activity)), DeliveryS3Uri: aws.String("s3://no-such-bucket/x")})
	wantAPIError(t, err, "S3BucketDoesNotExistException", 404)
	started, err = ct.StartQuery(ctx, &cloudtrail.StartQueryInput{DeliveryS3Uri: aws.String("s3://query-results/lake"),
		QueryStatement: aws.String(`SELECT eventData.userIdentity.principalId AS "user", eventData.uid, 'say "hi", ok' AS quoted FROM ` + storeID(activity) + ` ORDER BY 2`)})
	must(t, err, "StartQuery with delivery")
	d = waitQuery(t, ct, *started.QueryId)
	// Delivery follows the query's end: DeliveryStatus is PENDING until
	// the files are written.
	for i := 0; d.DeliveryStatus == types.DeliveryStatusPending && i < 500; i++ {
		time.Sleep(20 * time.Millisecond)
		d = waitQuery(t, ct, *started.QueryId)
	}
	if d.QueryStatus != types.QueryStatusFinished || d.DeliveryStatus != types.DeliveryStatusSuccess || *d.DeliveryS3Uri != "s3://query-results/lake" {
		t.Fatalf("delivery: %s %s %v", d.QueryStatus, d.DeliveryStatus, d.DeliveryS3Uri)
	}
	verifyDeliveredResults(t, srv, ct, *started.QueryId, [][]string{
		{"user", "uid", "quoted"}, {"ann", "u0", `say "hi", ok`}, {"ben", "u1", `say "hi", ok`}, {"ann", "u2", `say "hi", ok`},
	})
}

// verifyDeliveredResults checks a delivery as the AWS CLI's
// verify-query-results does (hashes of the compressed files, the
// signature over them with the key ListPublicKeys returns for the
// fingerprint), and the CSV contents.
func verifyDeliveredResults(t *testing.T, srv *testenv.Server, ct *cloudtrail.Client, queryID string, want [][]string) {
	t.Helper()
	s3c := srv.S3(accountA, usEast1)
	list, err := s3c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("query-results"), Prefix: aws.String("lake/AWSLogs/" + accountA + "/CloudTrail-Lake/Query/")})
	must(t, err, "ListObjectsV2")
	get := func(key string) []byte {
		out, err := s3c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("query-results"), Key: aws.String(key)})
		must(t, err, "GetObject "+key)
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return b
	}
	var signKey string
	for _, o := range list.Contents {
		if strings.HasSuffix(*o.Key, queryID+"/result_sign.json") {
			signKey = *o.Key
		}
	}
	if signKey == "" {
		t.Fatalf("no result_sign.json among %d objects", len(list.Contents))
	}
	var sign queryresults.SignFile
	if err := json.Unmarshal(get(signKey), &sign); err != nil {
		t.Fatal(err)
	}
	dir := strings.TrimSuffix(signKey, "result_sign.json")
	var rows [][]string
	for _, f := range sign.Files {
		body := get(dir + f.FileName)
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != f.FileHashValue {
			t.Fatalf("%s: hash mismatch", f.FileName)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(zr).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 {
			recs = recs[1:]
		}
		rows = append(rows, recs...)
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("delivered rows = %v, want %v", rows, want)
	}
	keys, err := ct.ListPublicKeys(t.Context(), &cloudtrail.ListPublicKeysInput{})
	must(t, err, "ListPublicKeys")
	sig, _ := hex.DecodeString(sign.HashSignature)
	for _, k := range keys.PublicKeyList {
		if *k.Fingerprint == sign.PublicKeyFingerprint {
			if err := signingkeys.Verify(k.Value, []byte(queryresults.SigningString(sign.Files)), sig); err != nil {
				t.Fatalf("signature does not verify: %v", err)
			}
			return
		}
	}
	t.Fatalf("no public key with fingerprint %s", sign.PublicKeyFingerprint)
}
