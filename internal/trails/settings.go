package trails

import (
	"context"
	"net/netip"
	"strings"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/tagging"
)

// maxS3KeyPrefixLength is the longest S3KeyPrefix a trail accepts.
const maxS3KeyPrefixLength = 200

// settingsChange carries the delivery settings of a CreateTrail or
// UpdateTrail request. A nil member leaves the setting alone; on update an
// empty string removes an optional setting.
type settingsChange struct {
	S3BucketName              *string
	S3KeyPrefix               *string
	SnsTopicName              *string
	KmsKeyID                  *string
	CloudWatchLogsLogGroupARN *string
	CloudWatchLogsRoleARN     *string
}

// apply validates the change and writes it to t, whose Account and
// HomeRegion must be set. It does not check that the bucket exists.
func (c settingsChange) apply(t *trailRecord) error {
	if c.S3BucketName != nil {
		if err := validateBucketName(*c.S3BucketName); err != nil {
			return err
		}
		t.S3BucketName = *c.S3BucketName
	}
	if c.S3KeyPrefix != nil {
		if n := len([]rune(*c.S3KeyPrefix)); n > maxS3KeyPrefixLength {
			return cloudtrail.NewInvalidS3PrefixException(
				"The S3 key prefix is %d characters long; the maximum length is %d characters.", n, maxS3KeyPrefixLength)
		}
		t.S3KeyPrefix = *c.S3KeyPrefix
	}
	if c.SnsTopicName != nil {
		topicARN, err := snsTopicARN(*c.SnsTopicName, t.HomeRegion, t.Account)
		if err != nil {
			return err
		}
		t.SnsTopicARN = topicARN
	}
	if c.KmsKeyID != nil {
		keyARN, err := kmsKeyARN(*c.KmsKeyID, t.HomeRegion, t.Account)
		if err != nil {
			return err
		}
		t.KmsKeyID = keyARN
	}
	if c.CloudWatchLogsLogGroupARN != nil {
		if v := *c.CloudWatchLogsLogGroupARN; v != "" {
			if err := validateLogGroupARN(v, t.HomeRegion, t.Account); err != nil {
				return err
			}
		}
		t.CloudWatchLogsLogGroupARN = *c.CloudWatchLogsLogGroupARN
	}
	if c.CloudWatchLogsRoleARN != nil {
		if v := *c.CloudWatchLogsRoleARN; v != "" {
			if err := validateLogsRoleARN(v, t.Account); err != nil {
				return err
			}
		}
		t.CloudWatchLogsRoleARN = *c.CloudWatchLogsRoleARN
	}
	if (t.CloudWatchLogsLogGroupARN == "") != (t.CloudWatchLogsRoleARN == "") {
		return cloudtrail.NewInvalidParameterCombinationException(
			"CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn must be specified together.")
	}
	return nil
}

// validateBucketName applies the bucket naming rules CloudTrail documents:
// 3 to 63 characters; labels separated by single periods, each made of
// lower-case letters, numbers and dashes and starting and ending with a
// letter or number; not formatted as an IP address.
func validateBucketName(name string) error {
	invalid := func(reason string) error {
		return cloudtrail.NewInvalidS3BucketNameException("Bucket name %s is not valid: %s.", name, reason)
	}
	if len(name) < 3 || len(name) > 63 {
		return invalid("it must be between 3 and 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' {
			return invalid("it can contain only lower-case letters, numbers, periods, and dashes")
		}
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return invalid("it must not start or end with a period or contain consecutive periods")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return invalid("each label must start and end with a letter or number")
		}
	}
	if addr, err := netip.ParseAddr(name); err == nil && addr.Is4() {
		return invalid("it must not be formatted as an IP address")
	}
	return nil
}

var snsTopicNamePattern = lazyRegexp(`^[A-Za-z0-9_-]{1,256}$`)

// snsTopicARN resolves SnsTopicName, a topic name or ARN, to the topic ARN;
// a name is a topic in the trail's home Region and account. Empty removes.
func snsTopicARN(value, region, account string) (string, error) {
	if value == "" {
		return "", nil
	}
	if !strings.HasPrefix(value, "arn:") {
		if !snsTopicNamePattern().MatchString(value) {
			return "", invalidTopic(value)
		}
		return "arn:" + partition + ":sns:" + region + ":" + account + ":" + value, nil
	}
	parts := strings.Split(value, ":")
	if len(parts) != 6 || parts[1] == "" || parts[2] != "sns" || !tagging.IsRegionName(parts[3]) ||
		!tagging.IsAccountID(parts[4]) || !snsTopicNamePattern().MatchString(parts[5]) {
		return "", invalidTopic(value)
	}
	return value, nil
}

func invalidTopic(value string) error {
	return cloudtrail.NewInvalidSnsTopicNameException(
		"SNS topic %s is not valid. Specify a topic name of up to 256 letters, numbers, hyphens, and underscores, or a topic ARN.",
		value)
}

var (
	kmsKeyIDPattern    = lazyRegexp(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$`)
	kmsAliasPattern    = lazyRegexp(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	kmsResourcePattern = lazyRegexp(`^(?:key/(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})|alias/[A-Za-z0-9/_-]{1,250})$`)
)

// kmsKeyARN resolves KmsKeyId (key ID, alias name, key ARN or alias ARN) to
// the ARN CloudTrail reports. Cairn has no KMS, so a key ID becomes the key
// ARN in the trail's home Region and account, and an alias name becomes the
// alias ARN there rather than the ARN of the key it points to. Empty
// removes.
func kmsKeyARN(value, region, account string) (string, error) {
	switch {
	case value == "":
		return "", nil
	case kmsKeyIDPattern().MatchString(value):
		return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + value, nil
	case kmsAliasPattern().MatchString(value):
		return "arn:" + partition + ":kms:" + region + ":" + account + ":" + value, nil
	}
	parts := strings.SplitN(value, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] == "kms" &&
		tagging.IsRegionName(parts[3]) && tagging.IsAccountID(parts[4]) && kmsResourcePattern().MatchString(parts[5]) {
		return value, nil
	}
	return "", cloudtrail.NewInvalidKmsKeyIdException(
		"KMS key ID %s is not valid. Specify a key ID, a key ARN, an alias name prefixed by alias/, or an alias ARN.", value)
}

var (
	logGroupPattern = lazyRegexp(`^arn:[a-z-]+:logs:([a-z0-9-]+):(\d{12}):log-group:[.\-_/#A-Za-z0-9]{1,512}(?::\*)?$`)
	rolePattern     = lazyRegexp(`^arn:[a-z-]+:iam::(\d{12}):role/(?:[\x21-\x7E]*/)?[\w+=,.@-]{1,64}$`)
)

// validateLogGroupARN checks a CloudWatch Logs log group ARN. CloudTrail
// delivers to a log group in the trail's home Region and account.
func validateLogGroupARN(value, region, account string) error {
	m := logGroupPattern().FindStringSubmatch(value)
	if m == nil {
		return cloudtrail.NewInvalidCloudWatchLogsLogGroupArnException(
			"CloudWatch Logs log group ARN %s is not valid.", value)
	}
	if m[1] != region || m[2] != account {
		return cloudtrail.NewInvalidCloudWatchLogsLogGroupArnException(
			"CloudWatch Logs log group %s must be in account %s and Region %s.", value, account, region)
	}
	return nil
}

// validateLogsRoleARN checks the role CloudTrail assumes to write to
// CloudWatch Logs, which must be in the trail's account.
func validateLogsRoleARN(value, account string) error {
	m := rolePattern().FindStringSubmatch(value)
	if m == nil {
		return cloudtrail.NewInvalidCloudWatchLogsRoleArnException("CloudWatch Logs role ARN %s is not valid.", value)
	}
	if m[1] != account {
		return cloudtrail.NewInvalidCloudWatchLogsRoleArnException(
			"CloudWatch Logs role %s must be in account %s.", value, account)
	}
	return nil
}

// checkBucketExists answers S3BucketDoesNotExistException for a bucket the
// bucket lookup cannot find.
func (s *Service) checkBucketExists(ctx context.Context, name string) error {
	if s.buckets == nil {
		return cloudtrail.NewS3BucketDoesNotExistException("The S3 bucket %s does not exist.", name)
	}
	info, err := s.buckets.LookupBucket(ctx, name)
	if err != nil {
		return err
	}
	if !info.Exists {
		return cloudtrail.NewS3BucketDoesNotExistException("The S3 bucket %s does not exist.", name)
	}
	return nil
}
