package recorder

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/ids"
)

// S3Call is one request to the built-in bucket store, as the S3 handler
// reports it.
type S3Call struct {
	Operation            string
	Bucket, Key          string
	ReadOnly             bool
	Caller               *identity.Caller
	BucketOwnerAccountID string
	BucketRegion         string
	ErrorCode            string
	ErrorMessage         string
	RequestParameters    map[string]any
	BytesIn, BytesOut    int64
}

// s3ObjectOperations are the S3 operations CloudTrail logs as data events
// on objects; every other S3 operation is a management event.
var s3ObjectOperations = map[string]bool{
	"GetObject": true, "PutObject": true, "HeadObject": true, "DeleteObject": true,
	"ListObjects": true, "ListObjectsV2": true, "DeleteObjects": true, "CopyObject": true,
}

// RecordS3Call records one S3 request: object operations as data events
// (eventCategory Data), bucket operations as management events, with
// eventSource s3.amazonaws.com.
func (r *Recorder) RecordS3Call(ctx context.Context, c S3Call) error {
	if c.Operation == "" || c.Caller == nil {
		return nil
	}
	rec, err := BuildS3(c)
	if err != nil {
		return err
	}
	return r.append(ctx, rec)
}

// BuildS3 makes the record of one S3 request, with its JSON in Raw.
func BuildS3(c S3Call) (events.Record, error) {
	caller := c.Caller
	data := s3ObjectOperations[c.Operation]
	region := c.BucketRegion
	if region == "" {
		region = caller.Region
	}
	recipient := c.BucketOwnerAccountID
	if recipient == "" {
		recipient = caller.Principal.AccountID
	}
	rec := events.Record{
		EventVersion:       EventVersion,
		UserIdentity:       userIdentity(caller.Principal),
		EventTime:          caller.Received.UTC().Truncate(time.Second),
		EventSource:        "s3.amazonaws.com",
		EventName:          c.Operation,
		AWSRegion:          region,
		SourceIPAddress:    caller.SourceIP,
		UserAgent:          truncate(caller.UserAgent, maxUserAgent),
		RequestID:          caller.RequestID,
		EventID:            ids.NewUUID(),
		ReadOnly:           boolPtr(c.ReadOnly),
		EventType:          "AwsApiCall",
		ManagementEvent:    boolPtr(!data),
		RecipientAccountID: recipient,
		EventCategory:      events.CategoryManagement,
		RequestParameters:  events.Null,
		ResponseElements:   events.Null,
		ErrorCode:          truncate(c.ErrorCode, maxErrorField),
		ErrorMessage:       truncate(c.ErrorMessage, maxErrorField),
	}
	if data {
		rec.EventCategory = "Data"
	}
	if c.RequestParameters != nil {
		params, err := json.Marshal(c.RequestParameters)
		if err != nil {
			return events.Record{}, err
		}
		rec.RequestParameters = params
	}
	buf := make([]byte, 0, recordBufSize)
	// {"SignatureVersion":"SigV4","bytesTransferredIn":n,"bytesTransferredOut":n},
	// as encoding/json writes the map, keys sorted.
	buf = append(buf, `{"SignatureVersion":"SigV4","bytesTransferredIn":`...)
	buf = strconv.AppendInt(buf, c.BytesIn, 10)
	buf = append(buf, `,"bytesTransferredOut":`...)
	buf = strconv.AppendInt(buf, c.BytesOut, 10)
	buf = append(buf, '}')
	rec.AdditionalEventData = buf[:len(buf):len(buf)]
	if c.Bucket != "" {
		bucketARN := "arn:aws:s3:::" + c.Bucket
		if data && c.Key != "" {
			rec.Resources = append(rec.Resources, events.Resource{Type: "AWS::S3::Object", ARN: bucketARN + "/" + c.Key})
		}
		rec.Resources = append(rec.Resources, events.Resource{Type: "AWS::S3::Bucket", ARN: bucketARN, AccountID: c.BucketOwnerAccountID})
		rec.LookupResources = []events.LookupResource{{Type: "AWS::S3::Bucket", Name: c.Bucket}}
	}
	if err := setRaw(&rec, buf); err != nil {
		return events.Record{}, err
	}
	return rec, nil
}
