package lakequery

import (
	"context"
	"errors"
	"strings"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/lake"
	"github.com/cairnhq/cairn/internal/lakesql"
	"github.com/cairnhq/cairn/internal/queryresults"
	"github.com/cairnhq/cairn/internal/samplequeries"
)

// StartQuery checks a statement, queues it and answers its query ID.
func (s *Service) StartQuery(ctx context.Context, req *cloudtrail.StartQueryRequest) (*cloudtrail.StartQueryResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	statement, err := statementOf(req)
	if err != nil {
		return nil, err
	}
	owner := deref(req.EventDataStoreOwnerAccountId)
	if req.DeliveryS3Uri != nil {
		if err := s.checkDelivery(ctx, *req.DeliveryS3Uri); err != nil {
			return nil, err
		}
	}

	if strings.Contains(statement, eventsPlaceholder) {
		return nil, cloudtrail.NewInvalidQueryStatementException("%s is a name Cairn reserves; it cannot appear in a query.", eventsPlaceholder)
	}
	var relations []*lake.Relation
	translated, err := lakesql.Translate(statement, func(name string) (string, bool, error) {
		r, err := s.cfg.Relations.QueryRelation(ctx, owner, name)
		var apiErr api.Error
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "EventDataStoreNotFoundException" {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		relations = append(relations, r)
		return r.SQL(eventsPlaceholder), true, nil
	})
	var stmtErr *lakesql.Error
	switch {
	case errors.As(err, &stmtErr):
		return nil, invalidStatement(err)
	case err != nil:
		return nil, err
	}
	if len(relations) == 0 {
		return nil, cloudtrail.NewInvalidQueryStatementException(
			"The query must read at least one event data store: name its ID in FROM, for example FROM %s.", "<event data store ID>")
	}
	r := &run{id: newQueryID(), account: sc.account, region: sc.region, translated: translated, relations: relations}
	if err := s.cfg.Engine.Prepare(ctx, r.build); err != nil {
		if mapped := translated.MapDuckDBError(err); mapped != nil {
			return nil, invalidStatement(mapped)
		}
		return nil, err
	}

	if req.DeliveryS3Uri != nil {
		r.delivery = *req.DeliveryS3Uri
	}
	r.ctx, r.cancel = context.WithCancelCause(context.Background())
	s.mu.Lock()
	n := 0
	for _, a := range s.active {
		if a.account == sc.account && a.region == sc.region {
			n++
		}
	}
	if n >= maxActivePerRegion {
		s.mu.Unlock()
		r.cancel(nil)
		return nil, cloudtrail.NewMaxConcurrentQueriesException(
			"The maximum number of concurrent queries is %d. Wait a minute for some queries to finish, and then run the query again.", maxActivePerRegion)
	}
	s.active[r.id] = r
	s.mu.Unlock()

	rec := &queryRecord{
		Version: recordVersion, ID: r.id, Account: sc.account, Region: sc.region, Owner: owner,
		Statement: statement, Status: statusQueued, Created: s.now().UTC(), DeliveryURI: r.delivery,
	}
	for _, rel := range relations {
		rec.Stores = append(rec.Stores, rel.ARN)
	}
	if r.delivery != "" {
		rec.DeliveryStatus = string(cloudtrail.DeliveryStatusPending)
	}
	if err := s.put(ctx, rec); err != nil {
		s.forget(r)
		return nil, err
	}
	select {
	case s.queue <- r:
	default:
		s.forget(r)
		return nil, cloudtrail.NewMaxConcurrentQueriesException("Too many queries are queued; wait for some to finish.")
	}
	out := &cloudtrail.StartQueryResponse{QueryId: ptr(r.id)}
	if owner != "" {
		out.EventDataStoreOwnerAccountId = ptr(owner)
	}
	return out, nil
}

// eventsPlaceholder stands for the event store's relation in translated
// SQL until the query runs, when the event store supplies it. Statements
// that contain it are refused.
const eventsPlaceholder = "__cairn_events__"

// build is the query to run over events, the event store's relation.
func (r *run) build(events string) string {
	return strings.ReplaceAll(r.translated.SQL, eventsPlaceholder, events)
}

// statementOf is the statement to run: QueryStatement, or the sample query
// QueryAlias names, reading the event data store its one QueryParameter
// names.
func statementOf(req *cloudtrail.StartQueryRequest) (string, error) {
	switch {
	case req.QueryStatement != nil && req.QueryAlias != nil:
		return "", cloudtrail.NewInvalidParameterException("Specify either QueryStatement or QueryAlias, not both.")
	case req.QueryStatement != nil:
		if len(req.QueryParameters) > 0 {
			return "", cloudtrail.NewInvalidParameterException("QueryParameters go with QueryAlias, not with QueryStatement.")
		}
		return *req.QueryStatement, nil
	case req.QueryAlias != nil:
		q, ok := samplequeries.ByAlias(*req.QueryAlias)
		if !ok {
			return "", cloudtrail.NewInvalidParameterException(
				"No query has the alias %s. Aliases name Cairn's sample queries (SearchSampleQueries).", *req.QueryAlias)
		}
		if len(req.QueryParameters) == 0 {
			return "", cloudtrail.NewInvalidParameterException(
				"The query %s needs QueryParameters: the event data store ID.", *req.QueryAlias)
		}
		if len(req.QueryParameters) > 1 {
			return "", cloudtrail.NewInvalidParameterException("The query %s takes one parameter, the event data store ID; %d were given.", *req.QueryAlias, len(req.QueryParameters))
		}
		return strings.ReplaceAll(q.SQL, "$EDS_ID", req.QueryParameters[0]), nil
	}
	return "", cloudtrail.NewInvalidParameterException("Specify QueryStatement, or QueryAlias with QueryParameters.")
}

// checkDelivery validates DeliveryS3Uri and that its bucket exists.
func (s *Service) checkDelivery(ctx context.Context, uri string) error {
	bucket, _, err := queryresults.ParseURI(uri)
	if err != nil {
		return cloudtrail.NewInvalidS3BucketNameException("%s", err.Error())
	}
	if s.cfg.Buckets == nil {
		return cloudtrail.NewS3BucketDoesNotExistException("The S3 bucket %s does not exist.", bucket)
	}
	ok, err := s.cfg.Buckets.BucketExists(ctx, bucket)
	if err != nil {
		return err
	}
	if !ok {
		return cloudtrail.NewS3BucketDoesNotExistException("The S3 bucket %s does not exist.", bucket)
	}
	return nil
}

func invalidStatement(err error) error {
	return cloudtrail.NewInvalidQueryStatementException("%s", err.Error())
}

func (s *Service) forget(r *run) {
	s.mu.Lock()
	delete(s.active, r.id)
	s.mu.Unlock()
	r.cancel(nil)
}
