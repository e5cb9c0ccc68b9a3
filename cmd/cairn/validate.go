package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairnhq/cairn/internal/logcheck"
)

const validateUsage = `Usage: cairn validate-logs --trail-arn ARN --start-time TIME [flags]

Validates a trail's log files against its signed digest files, with the same
rules as 'aws cloudtrail validate-logs': every digest of the period must be
where it was delivered and carry a valid SHA256withRSA signature from a key
ListPublicKeys reports, and every log file a digest lists must match its
SHA-256 hash. The trail's bucket and prefix come from DescribeTrails unless
--s3-bucket is given.

Exit status: 0 if every file checked is valid, 1 if any is not, 2 for usage
errors or when the check could not run.

Flags:
`

var trailARNPattern = regexp.MustCompile(`^arn:[^:]+:cloudtrail:([^:]+):(\d{12}):trail/(.+)$`)

func runValidate(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return validateCommand(ctx, args, os.Stdout, os.Stderr, os.Getenv)
}

func validateCommand(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("cairn validate-logs", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, validateUsage); flags.PrintDefaults() }
	trailARN := flags.String("trail-arn", "", "the trail's ARN (required)")
	startText := flags.String("start-time", "", "start of the period, RFC 3339 (required)")
	endText := flags.String("end-time", "", "end of the period, RFC 3339 (default now)")
	endpoint := flags.String("endpoint", "", "the Cairn server (default $CAIRN_ENDPOINT, $AWS_ENDPOINT_URL or "+defaultIngestEndpoint+")")
	s3Endpoint := flags.String("s3-endpoint", "", "where the bucket is (default $AWS_ENDPOINT_URL_S3, else the Cairn server)")
	region := flags.String("region", "", "the source Region whose digests to check (default the trail's home Region)")
	bucket := flags.String("s3-bucket", "", "the bucket holding the files (default from DescribeTrails)")
	prefix := flags.String("s3-prefix", "", "the trail's S3 key prefix, with --s3-bucket")
	verbose := flags.Bool("verbose", false, "print every valid file too")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	m := trailARNPattern.FindStringSubmatch(*trailARN)
	if m == nil {
		fmt.Fprintf(stderr, "Invalid trail ARN provided: %s\n", *trailARN)
		return 2
	}
	trail := logcheck.Trail{HomeRegion: m[1], Account: m[2], Name: m[3][strings.LastIndex(m[3], "/")+1:]}
	start, err := time.Parse(time.RFC3339, *startText)
	if err != nil {
		fmt.Fprintf(stderr, "cairn validate-logs: --start-time %q: %v\n", *startText, err)
		return 2
	}
	end := time.Now().UTC()
	if *endText != "" {
		if end, err = time.Parse(time.RFC3339, *endText); err != nil {
			fmt.Fprintf(stderr, "cairn validate-logs: --end-time %q: %v\n", *endText, err)
			return 2
		}
	}
	base := firstNonEmpty(*endpoint, getenv("CAIRN_ENDPOINT"), getenv("AWS_ENDPOINT_URL"), defaultIngestEndpoint)
	s3Base := firstNonEmpty(*s3Endpoint, getenv("AWS_ENDPOINT_URL_S3"), base)
	for _, u := range []string{base, s3Base} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") {
			fmt.Fprintf(stderr, "cairn validate-logs: endpoint %q is not an http:// or https:// URL\n", u)
			return 2
		}
	}
	sourceRegion := firstNonEmpty(*region, trail.HomeRegion)
	creds, _ := signingIdentity(ctx, sourceRegion, ingestIO{Stderr: stderr, Getenv: getenv})
	provider := credentials.StaticCredentialsProvider{Value: creds}
	ct := cloudtrail.New(cloudtrail.Options{Region: sourceRegion, BaseEndpoint: aws.String(base), Credentials: provider})
	s3c := s3.New(s3.Options{Region: sourceRegion, BaseEndpoint: aws.String(s3Base), Credentials: provider, UsePathStyle: true})

	if *bucket != "" {
		trail.Bucket, trail.KeyPrefix = *bucket, *prefix
	} else {
		out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
		if err != nil {
			fmt.Fprintln(stderr, "cairn validate-logs:", err)
			return 2
		}
		found := false
		for _, t := range out.TrailList {
			if aws.ToString(t.TrailARN) == *trailARN {
				trail.Bucket, trail.KeyPrefix, found = aws.ToString(t.S3BucketName), aws.ToString(t.S3KeyPrefix), true
			}
		}
		if !found {
			fmt.Fprintf(stderr, "A trail could not be found for %s\n", *trailARN)
			return 2
		}
	}
	fmt.Fprintf(stdout, "Validating log files for trail %s between %s and %s\n\n", *trailARN, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	rep, err := logcheck.Validate(ctx, s3Objects{s3c}, publicKeys{ct}, trail, sourceRegion, start, end)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	for _, it := range rep.Items {
		if !it.Valid {
			fmt.Fprintf(stderr, "%s\n\n", it)
		} else if *verbose {
			fmt.Fprintln(stdout, it)
		}
	}
	for _, g := range rep.Gaps {
		fmt.Fprintf(stderr, "%s\n\n", g)
	}
	fmt.Fprintf(stdout, "\nResults requested for %s to %s\n", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	dv, dn, lv, ln := rep.Counts()
	if dn == 0 {
		fmt.Fprintln(stdout, "No digests found")
		return 0
	}
	fmt.Fprintf(stdout, "Results found for %s to %s:\n", rep.FoundStart.Format(time.RFC3339), rep.FoundEnd.Format(time.RFC3339))
	fmt.Fprintln(stdout)
	printRatio(stdout, dv, dn, "digest")
	printRatio(stdout, lv, ln, "log")
	if !rep.OK() {
		return 1
	}
	return 0
}

func printRatio(w io.Writer, valid, total int, kind string) {
	if total == 0 {
		return
	}
	line := fmt.Sprintf("%d/%d %s files valid", valid, total, kind)
	if valid < total {
		line += fmt.Sprintf(", %d/%d %s files INVALID", total-valid, total, kind)
	}
	fmt.Fprintln(w, line)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// s3Objects reads the bucket through the S3 API.
type s3Objects struct{ c *s3.Client }

func (o s3Objects) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(o.c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, obj := range page.Contents {
			keys = append(keys, aws.ToString(obj.Key))
		}
	}
	return keys, nil
}

func (o s3Objects) Get(ctx context.Context, bucket, key string) ([]byte, map[string]string, error) {
	out, err := o.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var noKey *s3types.NoSuchKey
	if errors.As(err, &noKey) {
		return nil, nil, logcheck.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	return body, out.Metadata, err
}

// publicKeys lists digest signing keys through ListPublicKeys.
type publicKeys struct{ c *cloudtrail.Client }

func (p publicKeys) PublicKeys(ctx context.Context, start, end time.Time) ([]logcheck.PublicKey, error) {
	var out []logcheck.PublicKey
	in := &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(start), EndTime: aws.Time(end)}
	for {
		page, err := p.c.ListPublicKeys(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, k := range page.PublicKeyList {
			out = append(out, logcheck.PublicKey{Fingerprint: aws.ToString(k.Fingerprint), DER: k.Value})
		}
		if page.NextToken == nil {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}
