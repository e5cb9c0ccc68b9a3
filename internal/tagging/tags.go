package tagging

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
)

// Limits on tags, from the CloudTrail API reference.
const (
	MaxTagsPerResource = 50
	MaxKeyLength       = 128
	MaxValueLength     = 256
)

// Bucket is the store bucket holding tag sets, keyed by resource ARN.
const Bucket = "tags"

// reservedKeyPrefix starts the tag keys AWS keeps for itself.
const reservedKeyPrefix = "aws:"

// tagCharacters is the character set AWS accepts in tag keys and values:
// letters, separators (spaces), numbers and _ . : / = + - @.
var tagCharacters = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// Tag is one key-value pair. A nil Value is a key without a value, which
// AWS returns with no Value member.
type Tag struct {
	Key   string  `json:"key"`
	Value *string `json:"value,omitempty"`
}

// ValidateTags checks tags given to AddTags or CreateTrail and converts them.
// It answers InvalidTagParameterException for a missing, too long, reserved
// or badly formed key, a badly formed value, or a key given twice.
func ValidateTags(in []cloudtrail.Tag) ([]Tag, error) {
	out := make([]Tag, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, t := range in {
		if err := validateKey(t.Key); err != nil {
			return nil, err
		}
		key := *t.Key
		if seen[key] {
			return nil, cloudtrail.NewInvalidTagParameterException("Duplicate tag key %s in the tags list.", key)
		}
		seen[key] = true
		if t.Value != nil {
			v := *t.Value
			n := utf8.RuneCountInString(v)
			if n < 1 || n > MaxValueLength {
				return nil, cloudtrail.NewInvalidTagParameterException(
					"Tag value for key %s must be between 1 and %d characters long.", key, MaxValueLength)
			}
			if !tagCharacters.MatchString(v) {
				return nil, cloudtrail.NewInvalidTagParameterException(
					"Tag value for key %s contains characters that are not allowed. Tag values can contain letters, numbers, spaces, and the characters _ . : / = + - @.", key)
			}
			v = strings.Clone(v)
			out = append(out, Tag{Key: key, Value: &v})
		} else {
			out = append(out, Tag{Key: key})
		}
	}
	return out, nil
}

// ValidateTagKeys checks the keys of tags given to RemoveTags and returns
// them; values are ignored, since tags are removed by key.
func ValidateTagKeys(in []cloudtrail.Tag) ([]string, error) {
	keys := make([]string, 0, len(in))
	for _, t := range in {
		if err := validateKey(t.Key); err != nil {
			return nil, err
		}
		keys = append(keys, *t.Key)
	}
	return keys, nil
}

func validateKey(key *string) error {
	if key == nil {
		return cloudtrail.NewInvalidTagParameterException("Tag key must not be null.")
	}
	n := utf8.RuneCountInString(*key)
	if n < 1 || n > MaxKeyLength {
		return cloudtrail.NewInvalidTagParameterException(
			"Tag key %s must be between 1 and %d characters long.", *key, MaxKeyLength)
	}
	if strings.HasPrefix(strings.ToLower(*key), reservedKeyPrefix) {
		return cloudtrail.NewInvalidTagParameterException(
			"Tag key %s uses the reserved prefix aws:, which is reserved for AWS use.", *key)
	}
	if !tagCharacters.MatchString(*key) {
		return cloudtrail.NewInvalidTagParameterException(
			"Tag key %s contains characters that are not allowed. Tag keys can contain letters, numbers, spaces, and the characters _ . : / = + - @.", *key)
	}
	return nil
}

// TagsInTx returns the tags of the resource named by arn, in the order they
// were first added; a resource without tags has none.
func TagsInTx(tx store.Tx, arn string) ([]Tag, error) {
	raw, err := tx.Get(Bucket, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec tagSetRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("tagging: decode tags of %s: %w", arn, err)
	}
	return rec.Tags, nil
}

// PutTagsInTx adds tags to the resource named by arn, replacing the value of
// keys it already has. It answers TagsLimitExceededException when the
// resource would end up with more than MaxTagsPerResource tags, and then
// changes nothing.
func PutTagsInTx(tx store.Tx, arn string, tags []Tag) error {
	if len(tags) == 0 {
		return nil
	}
	current, err := TagsInTx(tx, arn)
	if err != nil {
		return err
	}
	index := make(map[string]int, len(current))
	for i, t := range current {
		index[t.Key] = i
	}
	for _, t := range tags {
		if i, ok := index[t.Key]; ok {
			current[i].Value = t.Value
			continue
		}
		index[t.Key] = len(current)
		current = append(current, t)
	}
	if len(current) > MaxTagsPerResource {
		return cloudtrail.NewTagsLimitExceededException(
			"The number of tags on resource %s would exceed the limit of %d.", arn, MaxTagsPerResource)
	}
	return writeTags(tx, arn, current)
}

// RemoveTagsInTx removes the tags with the given keys from the resource
// named by arn; keys it does not have are ignored.
func RemoveTagsInTx(tx store.Tx, arn string, keys []string) error {
	current, err := TagsInTx(tx, arn)
	if err != nil || len(current) == 0 {
		return err
	}
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[k] = true
	}
	kept := current[:0]
	for _, t := range current {
		if !drop[t.Key] {
			kept = append(kept, t)
		}
	}
	return writeTags(tx, arn, kept)
}

// DeleteAllInTx removes every tag of the resource named by arn. Owners call
// it when they delete the resource.
func DeleteAllInTx(tx store.Tx, arn string) error {
	return tx.Delete(Bucket, arn)
}

type tagSetRecord struct {
	Tags []Tag `json:"tags"`
}

func writeTags(tx store.Tx, arn string, tags []Tag) error {
	if len(tags) == 0 {
		return tx.Delete(Bucket, arn)
	}
	raw, err := json.Marshal(tagSetRecord{Tags: tags})
	if err != nil {
		return err
	}
	return tx.Put(Bucket, arn, raw)
}

// ToAPI converts tags to the API's shape; it never returns nil, since AWS
// sends an empty TagsList as [].
func ToAPI(tags []Tag) []cloudtrail.Tag {
	out := make([]cloudtrail.Tag, 0, len(tags))
	for _, t := range tags {
		key := t.Key
		out = append(out, cloudtrail.Tag{Key: &key, Value: t.Value})
	}
	return out
}
