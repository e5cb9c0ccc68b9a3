package trails

import (
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

func TestTrailNameRules(t *testing.T) {
	tests := []struct {
		name    string
		message string // empty: valid
	}{
		{"abc", ""},
		{"My.Trail_1-x", ""},
		{strings.Repeat("a", 128), ""},
		{"1.2.3", ""},
		{"ab", "The trail name must be at least 3 characters long; it is 2."},
		{strings.Repeat("a", 129), "The trail name must be at most 128 characters long; it is 129."},
		{"-abc", "The trail name must begin with an ASCII letter or digit."},
		{"abc_", "The trail name must end with an ASCII letter or digit."},
		{"my trail", "The trail name may contain only ASCII letters, digits, periods (.), underscores (_) and hyphens (-)."},
		{"my:trail", "The trail name may contain only ASCII letters, digits, periods (.), underscores (_) and hyphens (-)."},
		{"my-_namespace", "Trail name must not contain adjacent periods, hyphens, or underscores (-_)."},
		{"my--namespace", "Trail name must not contain adjacent periods, hyphens, or underscores (--)."},
		{"a..b", "Trail name must not contain adjacent periods, hyphens, or underscores (..)."},
		{"192.168.5.4", "Trail name must not be formatted as an IP address."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			_, err := h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{Name: ptr(tc.name), S3BucketName: ptr("trail-bucket")})
			if tc.message == "" {
				mustOK(t, err)
				return
			}
			wantMessage(t, err, "InvalidTrailNameException", tc.message)
		})
	}
}

func TestCreateTrailResponseAndDefaults(t *testing.T) {
	h := newHarness(t)
	out, err := h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{
		Name:         ptr("main"),
		S3BucketName: ptr("trail-bucket"),
		S3KeyPrefix:  ptr("logs"),
		SnsTopicName: ptr("notify"),
	})
	mustOK(t, err)
	if *out.Name != "main" || *out.S3BucketName != "trail-bucket" || *out.S3KeyPrefix != "logs" ||
		*out.TrailARN != "arn:aws:cloudtrail:us-east-1:123456789012:trail/main" ||
		*out.SnsTopicName != "notify" || *out.SnsTopicARN != "arn:aws:sns:us-east-1:123456789012:notify" ||
		!*out.IncludeGlobalServiceEvents || *out.IsMultiRegionTrail || *out.LogFileValidationEnabled || *out.IsOrganizationTrail {
		t.Fatalf("unexpected response %+v", out)
	}
	if out.KmsKeyId != nil || out.CloudWatchLogsLogGroupArn != nil || out.CloudWatchLogsRoleArn != nil {
		t.Fatalf("absent settings reported: %+v", out)
	}
	tr := h.get(in(home), "main")
	if *tr.HomeRegion != home || *tr.HasCustomEventSelectors || *tr.HasInsightSelectors {
		t.Fatalf("unexpected trail %+v", tr)
	}
	st, err := h.h.GetTrailStatus(in(home), &cloudtrail.GetTrailStatusRequest{Name: ptr("main")})
	mustOK(t, err)
	if *st.IsLogging {
		t.Fatal("a new trail must not be logging")
	}
	sel, err := h.h.GetEventSelectors(in(home), &cloudtrail.GetEventSelectorsRequest{TrailName: ptr("main")})
	mustOK(t, err)
	if len(sel.EventSelectors) != 1 || sel.AdvancedEventSelectors != nil {
		t.Fatalf("default selectors: %+v", sel)
	}
	d := sel.EventSelectors[0]
	if d.ReadWriteType != "All" || !*d.IncludeManagementEvents || d.DataResources == nil || len(d.DataResources) != 0 ||
		d.ExcludeManagementEventSources == nil || len(d.ExcludeManagementEventSources) != 0 {
		t.Fatalf("default selector %+v", d)
	}
}

func TestCreateTrailSettingErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(r *cloudtrail.CreateTrailRequest)
		code string
	}{
		{"missing bucket", func(r *cloudtrail.CreateTrailRequest) { r.S3BucketName = ptr("no-such-bucket") }, "S3BucketDoesNotExistException"},
		{"bucket upper case", func(r *cloudtrail.CreateTrailRequest) { r.S3BucketName = ptr("Trail-Bucket") }, "InvalidS3BucketNameException"},
		{"bucket underscore", func(r *cloudtrail.CreateTrailRequest) { r.S3BucketName = ptr("trail_bucket") }, "InvalidS3BucketNameException"},
		{"bucket too short", func(r *cloudtrail.CreateTrailRequest) { r.S3BucketName = ptr("ab") }, "InvalidS3BucketNameException"},
		{"bucket dash before period", func(r *cloudtrail.CreateTrailRequest) { r.S3BucketName = ptr("abc-.def") }, "InvalidS3BucketNameException"},
		{"bucket double period", func(r *cloudtrail.CreateTrailRequest) { r.S3BucketName = ptr("abc..def") }, "InvalidS3BucketNameException"},
		{"bucket ip", func(r *cloudtrail.CreateTrailRequest) { r.S3BucketName = ptr("10.0.0.1") }, "InvalidS3BucketNameException"},
		{"empty bucket", func(r *cloudtrail.CreateTrailRequest) { r.S3BucketName = ptr("") }, "InvalidS3BucketNameException"},
		{"prefix too long", func(r *cloudtrail.CreateTrailRequest) { r.S3KeyPrefix = ptr(strings.Repeat("p", 201)) }, "InvalidS3PrefixException"},
		{"bad topic name", func(r *cloudtrail.CreateTrailRequest) { r.SnsTopicName = ptr("bad topic") }, "InvalidSnsTopicNameException"},
		{"bad topic arn", func(r *cloudtrail.CreateTrailRequest) { r.SnsTopicName = ptr("arn:aws:sqs:us-east-1:123456789012:q") }, "InvalidSnsTopicNameException"},
		{"bad kms id", func(r *cloudtrail.CreateTrailRequest) { r.KmsKeyId = ptr("not-a-key") }, "InvalidKmsKeyIdException"},
		{"bad kms arn", func(r *cloudtrail.CreateTrailRequest) {
			r.KmsKeyId = ptr("arn:aws:kms:us-east-1:123456789012:key/nope")
		}, "InvalidKmsKeyIdException"},
		{"log group without role", func(r *cloudtrail.CreateTrailRequest) {
			r.CloudWatchLogsLogGroupArn = ptr("arn:aws:logs:us-east-1:123456789012:log-group:ct:*")
		}, "InvalidParameterCombinationException"},
		{"role without log group", func(r *cloudtrail.CreateTrailRequest) {
			r.CloudWatchLogsRoleArn = ptr("arn:aws:iam::123456789012:role/ct")
		}, "InvalidParameterCombinationException"},
		{"bad log group", func(r *cloudtrail.CreateTrailRequest) {
			r.CloudWatchLogsLogGroupArn = ptr("arn:aws:logs:us-east-1:123456789012:group:ct")
			r.CloudWatchLogsRoleArn = ptr("arn:aws:iam::123456789012:role/ct")
		}, "InvalidCloudWatchLogsLogGroupArnException"},
		{"log group in other region", func(r *cloudtrail.CreateTrailRequest) {
			r.CloudWatchLogsLogGroupArn = ptr("arn:aws:logs:eu-west-1:123456789012:log-group:ct:*")
			r.CloudWatchLogsRoleArn = ptr("arn:aws:iam::123456789012:role/ct")
		}, "InvalidCloudWatchLogsLogGroupArnException"},
		{"bad role", func(r *cloudtrail.CreateTrailRequest) {
			r.CloudWatchLogsLogGroupArn = ptr("arn:aws:logs:us-east-1:123456789012:log-group:ct:*")
			r.CloudWatchLogsRoleArn = ptr("arn:aws:iam::123456789012:user/ct")
		}, "InvalidCloudWatchLogsRoleArnException"},
		{"role in other account", func(r *cloudtrail.CreateTrailRequest) {
			r.CloudWatchLogsLogGroupArn = ptr("arn:aws:logs:us-east-1:123456789012:log-group:ct:*")
			r.CloudWatchLogsRoleArn = ptr("arn:aws:iam::210987654321:role/ct")
		}, "InvalidCloudWatchLogsRoleArnException"},
		{"multi region without global events", func(r *cloudtrail.CreateTrailRequest) {
			r.IsMultiRegionTrail, r.IncludeGlobalServiceEvents = ptr(true), ptr(false)
		}, "InvalidParameterCombinationException"},
		{"organization trail", func(r *cloudtrail.CreateTrailRequest) { r.IsOrganizationTrail = ptr(true) }, "OrganizationsNotInUseException"},
		{"reserved tag key", func(r *cloudtrail.CreateTrailRequest) {
			r.TagsList = []cloudtrail.Tag{{Key: ptr("aws:owner"), Value: ptr("x")}}
		}, "InvalidTagParameterException"},
		{"duplicate tag key", func(r *cloudtrail.CreateTrailRequest) {
			r.TagsList = []cloudtrail.Tag{{Key: ptr("k")}, {Key: ptr("k")}}
		}, "InvalidTagParameterException"},
		{"too many tags", func(r *cloudtrail.CreateTrailRequest) { r.TagsList = manyTags(51) }, "TagsLimitExceededException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			req := &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("trail-bucket")}
			tc.edit(req)
			_, err := h.h.CreateTrail(in(home), req)
			wantCode(t, err, tc.code)
			list, err := h.h.ListTrails(in(home), &cloudtrail.ListTrailsRequest{})
			mustOK(t, err)
			if len(list.Trails) != 0 {
				t.Fatal("a failed CreateTrail left a trail behind")
			}
		})
	}
}

func TestCreateTrailMessages(t *testing.T) {
	h := newHarness(t)
	_, err := h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("no-such-bucket")})
	wantMessage(t, err, "S3BucketDoesNotExistException", "The S3 bucket no-such-bucket does not exist.")
	_, err = h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{
		Name: ptr("main"), S3BucketName: ptr("trail-bucket"), IsMultiRegionTrail: ptr(true), IncludeGlobalServiceEvents: ptr(false),
	})
	wantMessage(t, err, "InvalidParameterCombinationException", "Multi-Region trail must include global service events.")
	h.create(in(home), "main", false)
	_, err = h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("trail-bucket")})
	wantMessage(t, err, "TrailAlreadyExistsException", "Trail main already exists for customer: 123456789012")
}

func TestCreateTrailAcceptedSettings(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *cloudtrail.CreateTrailRequest)
		check func(t *testing.T, out *cloudtrail.CreateTrailResponse)
	}{
		{"kms key id", func(r *cloudtrail.CreateTrailRequest) { r.KmsKeyId = ptr("12345678-1234-1234-1234-123456789012") },
			func(t *testing.T, out *cloudtrail.CreateTrailResponse) {
				wantString(t, out.KmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012")
			}},
		{"kms multi-region key id", func(r *cloudtrail.CreateTrailRequest) { r.KmsKeyId = ptr("mrk-1234abcd12ab34cd56ef1234567890ab") },
			func(t *testing.T, out *cloudtrail.CreateTrailResponse) {
				wantString(t, out.KmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab")
			}},
		{"kms alias", func(r *cloudtrail.CreateTrailRequest) { r.KmsKeyId = ptr("alias/MyAliasName") },
			func(t *testing.T, out *cloudtrail.CreateTrailResponse) {
				wantString(t, out.KmsKeyId, "arn:aws:kms:us-east-1:123456789012:alias/MyAliasName")
			}},
		{"kms key arn", func(r *cloudtrail.CreateTrailRequest) {
			r.KmsKeyId = ptr("arn:aws:kms:us-east-2:123456789012:key/12345678-1234-1234-1234-123456789012")
		}, func(t *testing.T, out *cloudtrail.CreateTrailResponse) {
			wantString(t, out.KmsKeyId, "arn:aws:kms:us-east-2:123456789012:key/12345678-1234-1234-1234-123456789012")
		}},
		{"kms alias arn", func(r *cloudtrail.CreateTrailRequest) {
			r.KmsKeyId = ptr("arn:aws:kms:us-east-2:123456789012:alias/MyAliasName")
		},
			func(t *testing.T, out *cloudtrail.CreateTrailResponse) {
				wantString(t, out.KmsKeyId, "arn:aws:kms:us-east-2:123456789012:alias/MyAliasName")
			}},
		{"sns topic arn", func(r *cloudtrail.CreateTrailRequest) {
			r.SnsTopicName = ptr("arn:aws:sns:us-west-2:210987654321:topic")
		},
			func(t *testing.T, out *cloudtrail.CreateTrailResponse) {
				wantString(t, out.SnsTopicARN, "arn:aws:sns:us-west-2:210987654321:topic")
				wantString(t, out.SnsTopicName, "topic")
			}},
		{"cloudwatch logs", func(r *cloudtrail.CreateTrailRequest) {
			r.CloudWatchLogsLogGroupArn = ptr("arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/logs:*")
			r.CloudWatchLogsRoleArn = ptr("arn:aws:iam::123456789012:role/service-role/CloudTrail_CWL")
		}, func(t *testing.T, out *cloudtrail.CreateTrailResponse) {
			wantString(t, out.CloudWatchLogsLogGroupArn, "arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/logs:*")
			wantString(t, out.CloudWatchLogsRoleArn, "arn:aws:iam::123456789012:role/service-role/CloudTrail_CWL")
		}},
		{"log validation and global events off", func(r *cloudtrail.CreateTrailRequest) {
			r.EnableLogFileValidation, r.IncludeGlobalServiceEvents = ptr(true), ptr(false)
		}, func(t *testing.T, out *cloudtrail.CreateTrailResponse) {
			if !*out.LogFileValidationEnabled || *out.IncludeGlobalServiceEvents {
				t.Fatalf("got %+v", out)
			}
		}},
		{"organization trail false", func(r *cloudtrail.CreateTrailRequest) { r.IsOrganizationTrail = ptr(false) },
			func(t *testing.T, out *cloudtrail.CreateTrailResponse) {}},
		{"prefix of 200", func(r *cloudtrail.CreateTrailRequest) { r.S3KeyPrefix = ptr(strings.Repeat("p", 200)) },
			func(t *testing.T, out *cloudtrail.CreateTrailResponse) {}},
		{"fifty tags", func(r *cloudtrail.CreateTrailRequest) { r.TagsList = manyTags(50) },
			func(t *testing.T, out *cloudtrail.CreateTrailResponse) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			req := &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("trail-bucket")}
			tc.edit(req)
			out, err := h.h.CreateTrail(in(home), req)
			mustOK(t, err)
			tc.check(t, out)
		})
	}
}

func TestCreateTrailStoresTags(t *testing.T) {
	h := newHarness(t)
	_, err := h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{
		Name: ptr("main"), S3BucketName: ptr("trail-bucket"),
		TagsList: []cloudtrail.Tag{{Key: ptr("team"), Value: ptr("sec")}, {Key: ptr("flag")}},
	})
	mustOK(t, err)
	arn := "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
	out, err := h.tags.ListTags(in(home), &cloudtrail.ListTagsRequest{ResourceIdList: []string{arn}})
	mustOK(t, err)
	got := out.ResourceTagList[0].TagsList
	if len(got) != 2 || *got[0].Key != "team" || *got[0].Value != "sec" || *got[1].Key != "flag" || got[1].Value != nil {
		t.Fatalf("tags %+v", got)
	}
}

func TestTrailLimitPerRegion(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"tr1", "tr2", "tr3", "tr4", "tr5"} {
		h.create(in(home), n, false)
	}
	_, err := h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{Name: ptr("tr6"), S3BucketName: ptr("trail-bucket")})
	wantMessage(t, err, "MaximumNumberOfTrailsExceededException", "User: 123456789012 already has 5 trails in us-east-1.")
	// Another Region and another account have their own quota.
	h.create(in(away), "tr6", false)
	h.create(callerCtx(otherAcc, home), "tr6", false)
}

func TestMultiRegionTrailsCountEverywhere(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "everywhere", true)
	for _, n := range []string{"aw1", "aw2", "aw3", "aw4"} {
		h.create(in(away), n, false)
	}
	// eu-west-1 now holds four trails and one shadow.
	_, err := h.h.CreateTrail(in(away), &cloudtrail.CreateTrailRequest{Name: ptr("aw5"), S3BucketName: ptr("trail-bucket")})
	wantMessage(t, err, "MaximumNumberOfTrailsExceededException", "User: 123456789012 already has 5 trails in eu-west-1.")
	// A new multi-Region trail would add a shadow to the full Region.
	_, err = h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{
		Name: ptr("second"), S3BucketName: ptr("trail-bucket"), IsMultiRegionTrail: ptr(true),
	})
	wantMessage(t, err, "MaximumNumberOfTrailsExceededException", "User: 123456789012 already has 5 trails in eu-west-1.")
	// A Region outside the commercial partition sees no shadows.
	for _, n := range []string{"lo1", "lo2", "lo3", "lo4", "lo5"} {
		h.create(in("local-1"), n, false)
	}
}

func TestTrailNamesCollideWithShadows(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "shared", true)
	_, err := h.h.CreateTrail(in(away), &cloudtrail.CreateTrailRequest{Name: ptr("shared"), S3BucketName: ptr("trail-bucket")})
	wantCode(t, err, "TrailAlreadyExistsException")

	h.create(in(away), "single", false)
	_, err = h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{
		Name: ptr("single"), S3BucketName: ptr("trail-bucket"), IsMultiRegionTrail: ptr(true),
	})
	wantCode(t, err, "TrailAlreadyExistsException")
	// A single-Region trail may reuse the name in a Region without it.
	h.create(in(home), "single", false)
}

func wantString(t *testing.T, got *string, want string) {
	t.Helper()
	if got == nil || *got != want {
		t.Fatalf("got %v, want %q", got, want)
	}
}

func manyTags(n int) []cloudtrail.Tag {
	out := make([]cloudtrail.Tag, n)
	for i := range out {
		out[i] = cloudtrail.Tag{Key: ptr("key" + strings.Repeat("x", i)), Value: ptr("v")}
	}
	return out
}
