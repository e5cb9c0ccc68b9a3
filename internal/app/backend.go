package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/api/cloudtraildata"
	"github.com/cairnhq/cairn/internal/auth"
	"github.com/cairnhq/cairn/internal/config"
	"github.com/cairnhq/cairn/internal/delivery"
	"github.com/cairnhq/cairn/internal/gateway"
	"github.com/cairnhq/cairn/internal/history"
	"github.com/cairnhq/cairn/internal/iam"
	"github.com/cairnhq/cairn/internal/ingest"
	"github.com/cairnhq/cairn/internal/lake"
	"github.com/cairnhq/cairn/internal/lakequery"
	"github.com/cairnhq/cairn/internal/protocol/awsjson"
	"github.com/cairnhq/cairn/internal/recorder"
	"github.com/cairnhq/cairn/internal/s3api"
	"github.com/cairnhq/cairn/internal/tagging"
	"github.com/cairnhq/cairn/internal/trails"
)

// cloudTrailTarget accepts both X-Amz-Target forms CloudTrail clients send.
var cloudTrailTarget = awsjson.Target{
	FullPrefix:  "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
	ShortPrefix: "CloudTrail_20131101.",
}

// domainService is what every domain package offers the composition root.
type domainService interface {
	Register(h *cloudtrail.Handlers)
	MapViolations(operation string, vs []api.Violation) error
}

func (s *Server) buildBackend(st *storage) (*gateway.Backend, error) {
	directory, err := iam.LoadDirectory(s.cfg.CredentialsFile)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	if directory, err = directory.WithDefaultAccount(s.cfg.DefaultAccount); err != nil {
		return nil, err
	}
	mode := auth.Open
	if s.cfg.Auth == config.AuthSigV4 {
		mode = auth.SigV4
	}
	authenticator := &auth.Authenticator{Mode: mode, Directory: directory, DefaultRegion: s.cfg.DefaultRegion, Now: s.opts.Now}

	var external []delivery.ExternalBucket
	if s.cfg.ExternalBucketsFile != "" {
		if external, err = delivery.LoadExternalBuckets(s.cfg.ExternalBucketsFile); err != nil {
			return nil, err
		}
	}
	objects := delivery.NewRouter(builtInObjects{st.buckets}, external)
	deliveryManager := delivery.New(delivery.Options{
		Store:          st.metadata,
		Events:         deliverySource{events: st.events},
		Trails:         trailLister{st.metadata},
		Objects:        objects,
		Keys:           st.keys,
		Interval:       s.cfg.DeliveryInterval,
		DigestInterval: s.cfg.DigestInterval,
		Regions:        trails.Regions,
		Now:            s.opts.Now,
		Logger:         s.logger,
	})
	trailService := trails.New(trails.Config{
		Store:    st.metadata,
		Now:      s.opts.Now,
		Buckets:  bucketLookup{buckets: st.buckets, external: objects},
		Keys:     publicKeySource{st.keys},
		Delivery: deliveryManager,
	})
	lakeService := lake.New(lake.Config{
		Store:     st.metadata,
		Sequencer: lakeEvents{events: st.events, mover: st.mover},
		Events:    lakeEvents{events: st.events, mover: st.mover},
		Appender:  directAppender{st.events},
		Now:       s.opts.Now,
	})
	st.lake = lakeService
	queryService, err := lakequery.New(lakequery.Config{
		Store:     st.metadata,
		Dir:       filepath.Join(s.cfg.DataDir, queriesDir),
		Relations: lakeService,
		Engine:    st.events,
		Objects:   objects,
		Signer:    resultSigner{st.keys},
		Buckets:   resultBuckets{bucketLookup{buckets: st.buckets, external: objects}},
		Now:       s.opts.Now,
		Timeout:   s.cfg.QueryTimeout,
	})
	if err != nil {
		return nil, err
	}
	st.queries = queryService
	tagService := tagging.New(tagging.Config{
		Store: st.metadata,
		Resolvers: map[string]tagging.Resolver{
			tagging.ResourceTrail:          trailService.TagResolver(),
			tagging.ResourceEventDataStore: lakeService.DataStoreTagResolver(),
			tagging.ResourceChannel:        lakeService.ChannelTagResolver(),
		},
	})
	historyService := history.New(history.Config{
		Source:            historySource{events: st.events, mover: st.mover},
		Now:               s.opts.Now,
		RequestsPerSecond: s.cfg.LookupEventsRate,
	})
	services := []domainService{trailService, tagService, historyService, lakeService, queryService}

	var handlers cloudtrail.Handlers
	for _, svc := range services {
		svc.Register(&handlers)
	}
	operations := handlers.Operations()
	s.logUnimplemented(operations)

	var dataHandlers cloudtraildata.Handlers
	lakeService.RegisterData(&dataHandlers)
	eventRecorder := recorder.New(st.journal, s.cfg.SyncReadEvents)
	s3 := s3api.New(st.buckets, s3api.Options{Logger: s.logger, Now: s.opts.Now, OnCall: s.recordS3(eventRecorder)})

	st.delivery = deliveryManager
	deliveryManager.Start(context.Background())
	st.startRetention(s.opts.Now, s.logger.Info, lakeService)

	return &gateway.Backend{
		Auth: authenticator,
		CloudTrail: &gateway.JSONService{
			Name:          "cloudtrail",
			Target:        cloudTrailTarget,
			Operations:    operations,
			MapViolations: firstMapping(services),
		},
		Data: &gateway.RESTService{
			Name:          "cloudtrail-data",
			Operations:    dataHandlers.Operations(),
			MapViolations: lakeService.MapDataViolations,
			MaxBodyBytes:  lake.MaxPutAuditEventsBytes,
		},
		S3:       s3,
		S3Error:  s3api.WriteError,
		Observer: eventRecorder,
		Ingest:   ingest.New(ingest.Config{Appender: st.events, Now: s.opts.Now}).Ingest,
	}, nil
}

// firstMapping asks each service in turn for a specific exception.
func firstMapping(services []domainService) api.ViolationMapper {
	return func(operation string, vs []api.Violation) error {
		for _, svc := range services {
			if err := svc.MapViolations(operation, vs); err != nil {
				return err
			}
		}
		return nil
	}
}

func (s *Server) logUnimplemented(ops map[string]*api.Operation) {
	var missing []string
	for name, op := range ops {
		if !op.Implemented {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	s.logger.Debug("operations answering UnsupportedOperationException until built", "count", len(missing), "operations", strings.Join(missing, ","))
}

// recordS3 records every request to the built-in bucket store. The S3
// handler reports a call after answering it, so unlike API calls an S3
// request's event is appended just after its response.
func (s *Server) recordS3(r *recorder.Recorder) func(ctx context.Context, call s3api.Call) {
	return func(ctx context.Context, call s3api.Call) {
		err := r.RecordS3Call(context.WithoutCancel(ctx), recorder.S3Call{
			Operation: call.Operation, Bucket: call.Bucket, Key: call.Key, ReadOnly: call.ReadOnly,
			Caller: call.Caller, BucketOwnerAccountID: call.BucketOwnerAccountID, BucketRegion: call.BucketRegion,
			ErrorCode: call.ErrorCode, ErrorMessage: call.ErrorMessage, RequestParameters: call.RequestParameters,
			BytesIn: call.BytesIn, BytesOut: call.BytesOut,
		})
		if err != nil {
			s.logger.Error("recording an S3 call failed", "operation", call.Operation, "request_id", call.RequestID, "error", err)
		}
	}
}
