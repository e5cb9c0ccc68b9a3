package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairnhq/cairn/internal/bucketstore"
)

type listAllMyBucketsResult struct {
	XMLName           xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner             owner
	Buckets           bucketList
	ContinuationToken string `xml:",omitempty"`
	Prefix            string `xml:",omitempty"`
}

type bucketList struct {
	Bucket []bucketEntry
}

type bucketEntry struct {
	Name         string
	CreationDate string
	BucketRegion string
}

func (h *Handler) listBuckets(rq *request) error {
	query := rq.r.URL.Query()
	prefix, regionFilter, after := query.Get("prefix"), query.Get("bucket-region"), query.Get("continuation-token")
	maxBuckets := 10000
	if v := query.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return errInvalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", v)
		}
		maxBuckets = n
	}
	buckets, err := h.store.ListBuckets(rq.ctx, rq.accountID)
	if err != nil {
		return err
	}
	result := listAllMyBucketsResult{Owner: owner{ID: canonicalUserID(rq.accountID)}, Prefix: prefix}
	for _, b := range buckets {
		if !strings.HasPrefix(b.Name, prefix) || regionFilter != "" && b.Region != regionFilter || b.Name <= after {
			continue
		}
		if len(result.Buckets.Bucket) == maxBuckets {
			result.ContinuationToken = result.Buckets.Bucket[maxBuckets-1].Name
			break
		}
		result.Buckets.Bucket = append(result.Buckets.Bucket, bucketEntry{
			Name:         b.Name,
			CreationDate: formatXMLTime(b.Created),
			BucketRegion: b.Region,
		})
	}
	return writeXML(rq, http.StatusOK, result)
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string
}

const maxCreateBucketBody = 64 << 10

func (h *Handler) createBucket(rq *request) error {
	if err := bucketstore.ValidateBucketName(rq.bucket); err != nil {
		return errInvalidBucketName(rq.bucket)
	}
	if strings.EqualFold(rq.r.Header.Get("x-amz-bucket-object-lock-enabled"), "true") {
		return errHeaderNotImplemented("x-amz-bucket-object-lock-enabled")
	}
	body, err := io.ReadAll(io.LimitReader(rq.r.Body, maxCreateBucketBody+1))
	if err != nil {
		return &bodyReadError{err: err}
	}
	var config createBucketConfiguration
	if len(bytes.TrimSpace(body)) > 0 {
		if len(body) > maxCreateBucketBody || xml.Unmarshal(body, &config) != nil {
			return errMalformedXML()
		}
		rq.params["CreateBucketConfiguration"] = map[string]any{
			"LocationConstraint": config.LocationConstraint,
			"xmlns":              s3Namespace,
		}
	}
	region, err := newBucketRegion(config.LocationConstraint, rq.region)
	if err != nil {
		return err
	}

	b, err := h.store.CreateBucket(rq.ctx, rq.bucket, rq.accountID, region)
	if errors.Is(err, bucketstore.ErrBucketAlreadyOwnedByYou) && region == defaultRegion {
		// S3 in us-east-1 answers a repeated create of one's own us-east-1
		// bucket with success.
		if existing, getErr := h.store.GetBucket(rq.ctx, rq.bucket); getErr == nil && existing.Region == defaultRegion {
			b, err = existing, nil
		}
	}
	if err != nil {
		return err
	}
	rq.bucketInfo = &b
	rq.w.Header().Set("Location", "/"+rq.bucket)
	rq.w.Header().Set("Content-Length", "0")
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

// newBucketRegion decides where a new bucket lives the way S3's regional
// endpoints do: no LocationConstraint means us-east-1 and is accepted only
// by us-east-1; elsewhere the constraint must name the endpoint's region.
// Requests signed for us-east-1 may create buckets in any region, as
// through S3's global endpoint.
func newBucketRegion(locationConstraint, requestRegion string) (string, error) {
	switch {
	case locationConstraint == "":
		if requestRegion != defaultRegion {
			return "", newError(http.StatusBadRequest, "IllegalLocationConstraintException",
				"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
		return defaultRegion, nil
	case locationConstraint == defaultRegion || !looksLikeRegion(locationConstraint):
		return "", newError(http.StatusBadRequest, "InvalidLocationConstraint",
			"The specified location-constraint is not valid", "LocationConstraint", locationConstraint)
	case requestRegion != defaultRegion && locationConstraint != requestRegion:
		return "", newError(http.StatusBadRequest, "IllegalLocationConstraintException",
			fmt.Sprintf("The %s location constraint is incompatible for the region specific endpoint this request was sent to.", locationConstraint))
	}
	return locationConstraint, nil
}

func looksLikeRegion(s string) bool {
	if !strings.Contains(s, "-") || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (h *Handler) deleteBucket(rq *request) error {
	if _, err := h.ownedBucket(rq); err != nil {
		return err
	}
	if err := h.store.DeleteBucket(rq.ctx, rq.bucket); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) headBucket(rq *request) error {
	b, err := h.ownedBucket(rq)
	if rq.bucketInfo != nil {
		rq.w.Header().Set("x-amz-bucket-region", b.Region)
	}
	if err != nil {
		return err
	}
	rq.w.Header().Set("x-amz-access-point-alias", "false")
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

type locationConstraint struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
	Region  string   `xml:",chardata"`
}

func (h *Handler) getBucketLocation(rq *request) error {
	b, err := h.ownedBucket(rq)
	if err != nil {
		return err
	}
	// S3 reports us-east-1 as an empty constraint.
	region := b.Region
	if region == defaultRegion {
		region = ""
	}
	return writeXML(rq, http.StatusOK, locationConstraint{Region: region})
}
