package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/bucketstore"
)

// maxListKeys is the most entries S3 returns in one listing page.
const maxListKeys = 1000

type listBucketResultV1 struct {
	XMLName        xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name           string
	Prefix         string
	Marker         string
	NextMarker     string `xml:",omitempty"`
	MaxKeys        int
	Delimiter      string `xml:",omitempty"`
	EncodingType   string `xml:",omitempty"`
	IsTruncated    bool
	Contents       []objectEntry
	CommonPrefixes []commonPrefix
}

type listBucketResultV2 struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string
	Prefix                string
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	StartAfter            string `xml:",omitempty"`
	KeyCount              int
	MaxKeys               int
	Delimiter             string `xml:",omitempty"`
	EncodingType          string `xml:",omitempty"`
	IsTruncated           bool
	Contents              []objectEntry
	CommonPrefixes        []commonPrefix
}

type objectEntry struct {
	Key               string
	LastModified      string
	ETag              string
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
	Size              int64
	Owner             *owner `xml:",omitempty"`
	StorageClass      string
}

type commonPrefix struct {
	Prefix string
}

// listParams are the parameters ListObjects and ListObjectsV2 share.
type listParams struct {
	prefix, delimiter string
	maxKeys           int
	urlEncoding       bool
}

func parseListParams(query url.Values) (listParams, error) {
	p := listParams{prefix: query.Get("prefix"), delimiter: query.Get("delimiter"), maxKeys: maxListKeys}
	if v := query.Get("max-keys"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		switch {
		case err != nil:
			return p, errInvalidArgument("Provided max-keys not an integer or within integer range", "max-keys", v)
		case n < 0:
			return p, errInvalidArgument("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", v)
		}
		p.maxKeys = min(int(n), maxListKeys)
	}
	if v := query.Get("encoding-type"); v != "" {
		if !strings.EqualFold(v, "url") {
			return p, errInvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", v)
		}
		p.urlEncoding = true
	}
	return p, nil
}

// list runs one page of a listing. S3 answers max-keys=0 with an empty,
// untruncated page.
func (h *Handler) list(rq *request, p listParams, after string) (bucketstore.ListObjectsResult, error) {
	if p.maxKeys == 0 {
		return bucketstore.ListObjectsResult{}, nil
	}
	return h.store.ListObjects(rq.ctx, rq.bucket, bucketstore.ListObjectsInput{
		Prefix: p.prefix, Delimiter: p.delimiter, After: after, MaxKeys: p.maxKeys,
	})
}

func (h *Handler) listObjectsV1(rq *request) error {
	b, err := h.ownedBucket(rq)
	if err != nil {
		return err
	}
	query := rq.r.URL.Query()
	p, err := parseListParams(query)
	if err != nil {
		return err
	}
	marker := query.Get("marker")
	page, err := h.list(rq, p, marker)
	if err != nil {
		return err
	}
	encode := keyEncoder(p.urlEncoding)
	result := listBucketResultV1{
		Name:        rq.bucket,
		Prefix:      encode(p.prefix),
		Marker:      encode(marker),
		MaxKeys:     p.maxKeys,
		Delimiter:   encode(p.delimiter),
		IsTruncated: page.IsTruncated,
	}
	// Like S3, name the next marker only when a delimiter makes the last
	// key insufficient to continue from.
	if page.IsTruncated && p.delimiter != "" {
		result.NextMarker = encode(page.NextMarker)
	}
	if p.urlEncoding {
		result.EncodingType = "url"
	}
	bucketOwner := &owner{ID: canonicalUserID(b.OwnerAccountID)}
	result.Contents = objectEntries(page.Objects, encode, bucketOwner)
	result.CommonPrefixes = commonPrefixes(page.CommonPrefixes, encode)
	return writeXML(rq, http.StatusOK, result)
}

const continuationTokenPrefix = "cairn-v1:"

func encodeContinuationToken(after string) string {
	return base64.StdEncoding.EncodeToString([]byte(continuationTokenPrefix + after))
}

func decodeContinuationToken(token string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(raw), continuationTokenPrefix)
}

func (h *Handler) listObjectsV2(rq *request) error {
	b, err := h.ownedBucket(rq)
	if err != nil {
		return err
	}
	query := rq.r.URL.Query()
	p, err := parseListParams(query)
	if err != nil {
		return err
	}
	startAfter, token := query.Get("start-after"), query.Get("continuation-token")
	after := startAfter
	if query.Has("continuation-token") {
		var ok bool
		if after, ok = decodeContinuationToken(token); !ok {
			return errInvalidArgument("The continuation token provided is incorrect", "continuation-token", token)
		}
	}
	page, err := h.list(rq, p, after)
	if err != nil {
		return err
	}
	encode := keyEncoder(p.urlEncoding)
	result := listBucketResultV2{
		Name:              rq.bucket,
		Prefix:            encode(p.prefix),
		ContinuationToken: token,
		StartAfter:        encode(startAfter),
		KeyCount:          len(page.Objects) + len(page.CommonPrefixes),
		MaxKeys:           p.maxKeys,
		Delimiter:         encode(p.delimiter),
		IsTruncated:       page.IsTruncated,
	}
	if page.IsTruncated {
		result.NextContinuationToken = encodeContinuationToken(page.NextMarker)
	}
	if p.urlEncoding {
		result.EncodingType = "url"
	}
	var objectOwner *owner
	if fetch, _ := strconv.ParseBool(query.Get("fetch-owner")); fetch {
		objectOwner = &owner{ID: canonicalUserID(b.OwnerAccountID)}
	}
	result.Contents = objectEntries(page.Objects, encode, objectOwner)
	result.CommonPrefixes = commonPrefixes(page.CommonPrefixes, encode)
	return writeXML(rq, http.StatusOK, result)
}

// keyEncoder returns how keys appear in a listing: as they are, or, for
// encoding-type=url, form-URL-encoded (which botocore undoes with
// unquote_plus).
func keyEncoder(urlEncoding bool) func(string) string {
	if urlEncoding {
		return url.QueryEscape
	}
	return func(s string) string { return s }
}

func objectEntries(objects []bucketstore.ObjectInfo, encode func(string) string, objectOwner *owner) []objectEntry {
	entries := make([]objectEntry, 0, len(objects))
	for _, o := range objects {
		e := objectEntry{
			Key:               encode(o.Key),
			LastModified:      formatXMLTime(o.LastModified),
			ETag:              quoteETag(o.ETag),
			ChecksumAlgorithm: o.ChecksumAlgorithm,
			Size:              o.Size,
			Owner:             objectOwner,
			StorageClass:      "STANDARD",
		}
		if o.ChecksumAlgorithm != "" {
			e.ChecksumType = "FULL_OBJECT"
		}
		entries = append(entries, e)
	}
	return entries
}

func commonPrefixes(prefixes []string, encode func(string) string) []commonPrefix {
	out := make([]commonPrefix, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, commonPrefix{Prefix: encode(p)})
	}
	return out
}

func formatXMLTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func quoteETag(etag string) string {
	return `"` + etag + `"`
}
