package s3api

import (
	"net/http"
	"net/url"
	"strings"
)

// subresource maps a query parameter that selects an S3 sub-resource to the
// operation each HTTP method performs on it; "" means the method is not
// allowed there.
type subresource struct {
	param                  string
	get, put, delete, post string
}

// unsupportedBucketSubresources are the bucket sub-resources Cairn answers
// with NotImplemented.
var unsupportedBucketSubresources = []subresource{
	{"acl", "GetBucketAcl", "PutBucketAcl", "", ""},
	{"accelerate", "GetBucketAccelerateConfiguration", "PutBucketAccelerateConfiguration", "", ""},
	{"analytics", "GetBucketAnalyticsConfiguration", "PutBucketAnalyticsConfiguration", "DeleteBucketAnalyticsConfiguration", ""},
	{"cors", "GetBucketCors", "PutBucketCors", "DeleteBucketCors", ""},
	{"encryption", "GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption", ""},
	{"intelligent-tiering", "GetBucketIntelligentTieringConfiguration", "PutBucketIntelligentTieringConfiguration", "DeleteBucketIntelligentTieringConfiguration", ""},
	{"inventory", "GetBucketInventoryConfiguration", "PutBucketInventoryConfiguration", "DeleteBucketInventoryConfiguration", ""},
	{"lifecycle", "GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle", ""},
	{"logging", "GetBucketLogging", "PutBucketLogging", "", ""},
	{"metadataTable", "GetBucketMetadataTableConfiguration", "", "DeleteBucketMetadataTableConfiguration", "CreateBucketMetadataTableConfiguration"},
	{"metadataConfiguration", "GetBucketMetadataConfiguration", "", "DeleteBucketMetadataConfiguration", "CreateBucketMetadataConfiguration"},
	{"metrics", "GetBucketMetricsConfiguration", "PutBucketMetricsConfiguration", "DeleteBucketMetricsConfiguration", ""},
	{"notification", "GetBucketNotificationConfiguration", "PutBucketNotificationConfiguration", "", ""},
	{"object-lock", "GetObjectLockConfiguration", "PutObjectLockConfiguration", "", ""},
	{"ownershipControls", "GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls", ""},
	{"policy", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", ""},
	{"policyStatus", "GetBucketPolicyStatus", "", "", ""},
	{"publicAccessBlock", "GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock", ""},
	{"replication", "GetBucketReplication", "PutBucketReplication", "DeleteBucketReplication", ""},
	{"requestPayment", "GetBucketRequestPayment", "PutBucketRequestPayment", "", ""},
	{"tagging", "GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging", ""},
	{"versioning", "GetBucketVersioning", "PutBucketVersioning", "", ""},
	{"website", "GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite", ""},
	{"versions", "ListObjectVersions", "", "", ""},
	{"uploads", "ListMultipartUploads", "", "", ""},
	{"delete", "", "", "", "DeleteObjects"},
	{"session", "CreateSession", "", "", ""},
}

// listWithoutID names the List operation a GET of these sub-resources
// performs when it names no configuration id.
var listWithoutID = map[string]string{
	"analytics":           "ListBucketAnalyticsConfigurations",
	"intelligent-tiering": "ListBucketIntelligentTieringConfigurations",
	"inventory":           "ListBucketInventoryConfigurations",
	"metrics":             "ListBucketMetricsConfigurations",
}

var unsupportedObjectSubresources = []subresource{
	{"uploadId", "ListParts", "UploadPart", "AbortMultipartUpload", "CompleteMultipartUpload"},
	{"uploads", "", "", "", "CreateMultipartUpload"},
	{"acl", "GetObjectAcl", "PutObjectAcl", "", ""},
	{"tagging", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging", ""},
	{"retention", "GetObjectRetention", "PutObjectRetention", "", ""},
	{"legal-hold", "GetObjectLegalHold", "PutObjectLegalHold", "", ""},
	{"attributes", "GetObjectAttributes", "", "", ""},
	{"torrent", "GetObjectTorrent", "", "", ""},
	{"restore", "", "", "", "RestoreObject"},
	{"select", "", "", "", "SelectObjectContent"},
	{"renameObject", "", "RenameObject", "", ""},
}

func (s subresource) operationFor(method string) string {
	switch method {
	case http.MethodGet:
		return s.get
	case http.MethodPut:
		return s.put
	case http.MethodDelete:
		return s.delete
	case http.MethodPost:
		return s.post
	}
	return ""
}

func served(name string, serve func(*Handler, *request) error) operation {
	return operation{name: name, serve: serve}
}

func notImplemented(name string) operation {
	return operation{name: name, serve: func(*Handler, *request) error { return errNotImplemented(name) }}
}

func methodNotAllowed(method, resourceType string) operation {
	return operation{serve: func(*Handler, *request) error { return errMethodNotAllowed(method, resourceType) }}
}

// route picks the operation a request performs from its method, path and
// query, the way S3 does for path-style requests.
func route(r *http.Request, bucket, key string) operation {
	if isVirtualHostStyle(r.Host) {
		return operation{serve: func(*Handler, *request) error {
			return newError(http.StatusNotImplemented, "NotImplemented",
				"Virtual-hosted-style requests are not implemented by Cairn's bucket store; use path-style addressing.")
		}}
	}
	query := r.URL.Query()
	switch {
	case bucket == "":
		if r.Method == http.MethodGet {
			return served("ListBuckets", (*Handler).listBuckets)
		}
		return methodNotAllowed(r.Method, "SERVICE")
	case key == "":
		return routeBucket(r.Method, query)
	default:
		return routeObject(r.Method, query, r.Header)
	}
}

func routeBucket(method string, query url.Values) operation {
	if method != http.MethodHead {
		for _, s := range unsupportedBucketSubresources {
			if !query.Has(s.param) {
				continue
			}
			name := s.operationFor(method)
			if list, ok := listWithoutID[s.param]; ok && method == http.MethodGet && !query.Has("id") {
				name = list
			}
			if name == "" {
				return methodNotAllowed(method, "BUCKET")
			}
			return notImplemented(name)
		}
	}
	switch method {
	case http.MethodGet:
		switch {
		case query.Has("location"):
			return served("GetBucketLocation", (*Handler).getBucketLocation)
		case query.Get("list-type") == "2":
			return served("ListObjectsV2", (*Handler).listObjectsV2)
		}
		return served("ListObjects", (*Handler).listObjectsV1)
	case http.MethodPut:
		return served("CreateBucket", (*Handler).createBucket)
	case http.MethodDelete:
		return served("DeleteBucket", (*Handler).deleteBucket)
	case http.MethodHead:
		return served("HeadBucket", (*Handler).headBucket)
	case http.MethodPost:
		return notImplemented("PostObject")
	}
	return methodNotAllowed(method, "BUCKET")
}

func routeObject(method string, query url.Values, header http.Header) operation {
	copySource := header.Get("x-amz-copy-source") != ""
	if method != http.MethodHead {
		for _, s := range unsupportedObjectSubresources {
			if !query.Has(s.param) {
				continue
			}
			name := s.operationFor(method)
			if name == "UploadPart" && copySource {
				name = "UploadPartCopy"
			}
			if name == "" {
				return methodNotAllowed(method, "OBJECT")
			}
			return notImplemented(name)
		}
	}
	switch method {
	case http.MethodGet:
		return served("GetObject", (*Handler).getObject)
	case http.MethodHead:
		return served("HeadObject", (*Handler).headObject)
	case http.MethodPut:
		if copySource {
			return notImplemented("CopyObject")
		}
		return served("PutObject", (*Handler).putObject)
	case http.MethodDelete:
		return served("DeleteObject", (*Handler).deleteObject)
	}
	return methodNotAllowed(method, "OBJECT")
}

// isVirtualHostStyle reports whether host addresses a bucket by name, as in
// bucket.s3.us-east-1.amazonaws.com.
func isVirtualHostStyle(host string) bool {
	if h, _, found := strings.Cut(host, ":"); found {
		host = h
	}
	host = strings.ToLower(host)
	if !strings.HasSuffix(host, ".amazonaws.com") {
		return false
	}
	return !strings.HasPrefix(host, "s3.") && !strings.HasPrefix(host, "s3-") &&
		(strings.Contains(host, ".s3.") || strings.Contains(host, ".s3-"))
}
