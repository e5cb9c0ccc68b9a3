package history

import (
	"context"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// Service answers LookupEvents.
type Service struct{}

// Config wires a Service. It is empty until the recording pipeline arrives.
type Config struct{}

// New returns a Service.
func New(Config) *Service { return &Service{} }

// Register installs LookupEvents in h.
func (s *Service) Register(h *cloudtrail.Handlers) {
	h.LookupEvents = s.LookupEvents
}

// LookupEvents validates the request and, since nothing records events yet,
// answers with an empty page.
func (s *Service) LookupEvents(ctx context.Context, req *cloudtrail.LookupEventsRequest) (*cloudtrail.LookupEventsResponse, error) {
	if _, err := ValidateLookup(req); err != nil {
		return nil, err
	}
	return &cloudtrail.LookupEventsResponse{Events: []cloudtrail.Event{}}, nil
}
