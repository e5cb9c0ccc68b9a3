package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"

	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/ingest"
)

// Defaults of `cairn ingest`.
const (
	defaultIngestEndpoint = "http://127.0.0.1:4599"
	ingestPath            = "/_cairn/events"
	// defaultMaxRequestBytes is the server's limit on one ingestion body.
	defaultMaxRequestBytes = 64 << 20
	// openModeSecret goes with the default account's key when no AWS
	// credentials are configured; open mode accepts any secret.
	openModeSecret = "cairn"
	// signingName is the service the requests are signed for.
	signingName = "cloudtrail"
)

const ingestUsage = `Usage: cairn ingest [flags] FILE...

Sends CloudTrail records to a Cairn server (POST /_cairn/events). Each FILE is
a CloudTrail log file ({"Records":[...]}, gzip or plain), a JSON array of
records, or records one a line; "-" reads standard input; a directory is
walked for *.json and *.json.gz files (as an S3 log tree; digest files are
skipped). Records are stored in the account and region they name, which must
be the signing account's.

Requests are signed with the AWS credentials of the environment (AWS_* variables,
shared config and credentials files); without any, as account 123456789012,
which a server in open mode accepts (set AWS_ACCESS_KEY_ID to a 12-digit account
ID to choose another account there).

Exit status: 0 if every record was accepted, 1 if any was not, 2 for usage errors.

Flags:
`

// ingestIO is what `cairn ingest` reads from and writes to.
type ingestIO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// runIngest is `cairn ingest`.
func runIngest(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return ingestCommand(ctx, args, ingestIO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
}

// ingestCommand runs `cairn ingest` with args (after the subcommand) and
// returns the exit status.
func ingestCommand(ctx context.Context, args []string, sys ingestIO) int {
	flags := flag.NewFlagSet("cairn ingest", flag.ContinueOnError)
	flags.SetOutput(sys.Stderr)
	endpoint := flags.String("endpoint", "", "the Cairn server (default $CAIRN_ENDPOINT, $AWS_ENDPOINT_URL or "+defaultIngestEndpoint+")")
	region := flags.String("region", "", "the region requests are signed for (default $AWS_REGION, the AWS profile's, or us-east-1); records keep their own awsRegion")
	batchRecords := flags.Int("batch-records", ingest.DefaultMaxRecords, "the most records sent in one request")
	maxRequestBytes := flags.Int("max-request-bytes", defaultMaxRequestBytes, "the largest request body; bigger files are split")
	flags.Usage = func() {
		fmt.Fprint(sys.Stderr, ingestUsage)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageError := func(format string, a ...any) int {
		fmt.Fprintf(sys.Stderr, "cairn ingest: "+format+"\n", a...)
		fmt.Fprintln(sys.Stderr, "Run 'cairn ingest -h' for usage.")
		return 2
	}
	if flags.NArg() == 0 {
		return usageError("no files given")
	}
	if *batchRecords < 1 {
		return usageError("--batch-records must be at least 1")
	}
	if *maxRequestBytes < 1024 {
		return usageError("--max-request-bytes must be at least 1024")
	}
	target, err := ingestURL(*endpoint, sys.Getenv)
	if err != nil {
		return usageError("%v", err)
	}
	creds, signingRegion := signingIdentity(ctx, *region, sys)
	c := &ingestClient{
		url:          target,
		region:       signingRegion,
		creds:        creds,
		signer:       v4.NewSigner(),
		http:         &http.Client{Timeout: 10 * time.Minute},
		batchRecords: *batchRecords,
		maxBytes:     *maxRequestBytes,
	}

	files, accepted, rejected, failed := 0, 0, 0, false
	for _, arg := range flags.Args() {
		err := eachInput(arg, sys.Stdin, func(name string, read func() ([]byte, error)) {
			files++
			data, err := read()
			var res fileResult
			if err != nil {
				res.err = err
			} else {
				res = c.sendFile(ctx, data)
			}
			res.print(sys.Stdout, name)
			accepted += res.accepted
			rejected += len(res.failures) + res.unsent
			failed = failed || res.err != nil || len(res.failures) > 0 || res.unsent > 0
		})
		if err != nil {
			fmt.Fprintf(sys.Stdout, "%s: error: %v\n", arg, err)
			failed = true
		}
		if ctx.Err() != nil {
			fmt.Fprintln(sys.Stderr, "cairn ingest: interrupted")
			return 1
		}
	}
	if files > 1 {
		fmt.Fprintf(sys.Stdout, "%d files: %d records accepted, %d failed\n", files, accepted, rejected)
	}
	if failed {
		return 1
	}
	return 0
}

// ingestURL resolves the endpoint to the ingestion URL.
func ingestURL(endpoint string, getenv func(string) string) (string, error) {
	for _, candidate := range []string{endpoint, getenv("CAIRN_ENDPOINT"), getenv("AWS_ENDPOINT_URL"), defaultIngestEndpoint} {
		if candidate == "" {
			continue
		}
		u, err := url.Parse(candidate)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("endpoint %q is not an http:// or https:// URL", candidate)
		}
		return strings.TrimSuffix(u.String(), "/") + ingestPath, nil
	}
	panic("unreachable")
}

// signingIdentity finds the credentials and region to sign with: the
// standard AWS configuration, else the default account for open mode.
func signingIdentity(ctx context.Context, region string, sys ingestIO) (aws.Credentials, string) {
	// IMDS is disabled: probing for an EC2 instance costs seconds off EC2.
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	var creds aws.Credentials
	if err == nil && cfg.Credentials != nil {
		creds, err = cfg.Credentials.Retrieve(ctx)
	}
	if err != nil || creds.AccessKeyID == "" {
		fmt.Fprintf(sys.Stderr, "cairn ingest: no AWS credentials found; signing as account %s (accepted by a server in open mode)\n", identity.DefaultAccountID)
		creds = aws.Credentials{AccessKeyID: identity.DefaultAccountID, SecretAccessKey: openModeSecret, Source: "cairn default"}
	}
	if region == "" {
		region = cfg.Region
	}
	if region == "" {
		region = "us-east-1"
	}
	return creds, region
}

// eachInput calls fn for every file arg stands for: stdin for "-", the log
// files under a directory, or the file itself.
func eachInput(arg string, stdin io.Reader, fn func(name string, read func() ([]byte, error))) error {
	if arg == "-" {
		fn("-", func() ([]byte, error) { return io.ReadAll(stdin) })
		return nil
	}
	info, err := os.Stat(arg)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		fn(arg, func() ([]byte, error) { return os.ReadFile(arg) })
		return nil
	}
	found := 0
	err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isLogFile(path) {
			return nil
		}
		found++
		fn(path, func() ([]byte, error) { return os.ReadFile(path) })
		return nil
	})
	if err == nil && found == 0 {
		err = errors.New("no *.json or *.json.gz files in the directory")
	}
	return err
}

// isLogFile reports whether a file found in a directory walk is a log file
// to send: *.json or *.json.gz, but not a CloudTrail digest file.
func isLogFile(path string) bool {
	lower := strings.ToLower(filepath.Base(path))
	if !strings.HasSuffix(lower, ".json") && !strings.HasSuffix(lower, ".json.gz") {
		return false
	}
	return !strings.Contains(filepath.ToSlash(path), "CloudTrail-Digest")
}

// ingestClient posts records to a Cairn server.
type ingestClient struct {
	url          string
	region       string
	creds        aws.Credentials
	signer       *v4.Signer
	http         *http.Client
	batchRecords int
	maxBytes     int
}

// fileResult is what became of one file's records.
type fileResult struct {
	accepted int
	failures []ingest.RecordError // Index is the record's position in the file
	unsent   int                  // records of requests that failed as a whole
	errs     []string             // request failures
	err      error                // the file could not be read or split
	records  int
}

func (r *fileResult) print(w io.Writer, name string) {
	if r.err != nil {
		fmt.Fprintf(w, "%s: error: %v\n", name, r.err)
		return
	}
	switch {
	case r.records == 0:
		fmt.Fprintf(w, "%s: no records\n", name)
	case len(r.failures) == 0 && r.unsent == 0:
		fmt.Fprintf(w, "%s: %d accepted\n", name, r.accepted)
	default:
		fmt.Fprintf(w, "%s: %d accepted, %d failed\n", name, r.accepted, len(r.failures)+r.unsent)
	}
	for _, e := range r.errs {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	for _, f := range r.failures {
		id := ""
		if f.EventID != "" {
			id = fmt.Sprintf(" (eventID %s)", f.EventID)
		}
		for _, e := range f.Errors {
			field := ""
			if e.Field != "" {
				field = e.Field + ": "
			}
			fmt.Fprintf(w, "  record %d%s: %s%s: %s\n", f.Index, id, field, e.Code, e.Message)
		}
	}
}

// sendFile sends one file's records: its bytes as they are when they fit
// in one request, else its records in batches.
func (c *ingestClient) sendFile(ctx context.Context, data []byte) fileResult {
	records, err := ingest.SplitBody(data, 0, 0)
	if err != nil {
		return fileResult{err: fmt.Errorf("not CloudTrail records: %s", errorMessage(err))}
	}
	res := fileResult{records: len(records)}
	if len(records) == 0 {
		return res
	}
	// The server also bounds a gzip body once decompressed.
	expanded := len(records)
	for _, rec := range records {
		expanded += len(rec)
	}
	if len(data) <= c.maxBytes && len(records) <= c.batchRecords && expanded < ingest.MaxDecompressedBytes {
		c.sendBatch(ctx, data, 0, len(records), &res)
		return res
	}
	// {"Records":[ ... ]} around records joined by commas.
	const overhead = len(`{"Records":[]}`)
	var batch bytes.Buffer
	start, n := 0, 0
	flush := func(next int) {
		if n > 0 {
			batch.WriteString("]}")
			c.sendBatch(ctx, batch.Bytes(), start, n, &res)
		}
		batch.Reset()
		start, n = next, 0
	}
	for i, rec := range records {
		if overhead+len(rec) > c.maxBytes {
			flush(i + 1)
			res.failures = append(res.failures, ingest.RecordError{Index: i, EventID: eventIDOf(rec), Errors: []ingest.FieldError{{
				Code:    events.CodeFieldTooLong,
				Message: fmt.Sprintf("the record is %d bytes, more than a request may hold (%d); not sent", len(rec), c.maxBytes),
			}}})
			continue
		}
		if n == c.batchRecords || batch.Len()+1+len(rec)+2 > c.maxBytes {
			flush(i)
		}
		if n == 0 {
			start = i
			batch.WriteString(`{"Records":[`)
		} else {
			batch.WriteByte(',')
		}
		batch.Write(rec)
		n++
	}
	flush(len(records))
	return res
}

// sendBatch posts one body holding the count records that start at the
// file's record first, and adds the outcome to res.
func (c *ingestClient) sendBatch(ctx context.Context, body []byte, first, count int, res *fileResult) {
	out, err := c.post(ctx, body)
	if err != nil {
		res.unsent += count
		what := "records"
		if count == 1 {
			what = "record"
		}
		res.errs = append(res.errs, fmt.Sprintf("%d %s from record %d not stored: %v", count, what, first, err))
		return
	}
	res.accepted += out.Accepted
	for _, f := range out.Failed {
		f.Index += first
		res.failures = append(res.failures, f)
	}
}

// post sends one signed request and decodes the answer.
func (c *ingestClient) post(ctx context.Context, body []byte) (*ingest.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if ingest.IsGzip(body) {
		req.Header.Set("Content-Type", "application/gzip")
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), signingName, c.region, time.Now()); err != nil {
		return nil, fmt.Errorf("signing the request: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(answer, &e) == nil && e.Type != "" {
			return nil, fmt.Errorf("%s: %s (HTTP %d)", e.Type, e.Message, resp.StatusCode)
		}
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(answer[:min(len(answer), 200)]))
	}
	var out ingest.Result
	if err := json.Unmarshal(answer, &out); err != nil {
		return nil, fmt.Errorf("the server's answer is not an ingestion result: %w", err)
	}
	return &out, nil
}

// eventIDOf is a record's eventID, or empty.
func eventIDOf(rec []byte) string {
	var probe struct {
		EventID string `json:"eventID"`
	}
	_ = json.Unmarshal(rec, &probe)
	return probe.EventID
}

// errorMessage is an api.Error's message without its code.
func errorMessage(err error) string {
	var m interface{ ErrorMessage() string }
	if errors.As(err, &m) {
		return m.ErrorMessage()
	}
	return err.Error()
}
