// Package restjson is the REST-JSON codec used by CloudTrail Data: members
// bound to the query string through the generated `location:"query"` tags,
// the rest from the JSON body, and errors carried in the X-Amzn-ErrorType
// header with a {"message"} body.
package restjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"

	"github.com/cairnhq/cairn/internal/api"
)

// ContentType is the media type of responses.
const ContentType = "application/json"

// BodyDecoder is implemented by inputs with a faster decoder of their
// own. DecodeBody fills the input as encoding/json would and reports
// whether it could; when it could not, encoding/json decodes the body.
type BodyDecoder interface {
	DecodeBody(body []byte) bool
}

// DecodeInput fills in from the query string and the JSON body.
func DecodeInput(query url.Values, body []byte, in api.Input) error {
	body = bytes.TrimSpace(body)
	decoded := false
	if fast, ok := in.(BodyDecoder); ok && len(body) > 0 {
		decoded = fast.DecodeBody(body)
	}
	if len(body) > 0 && !decoded {
		if err := json.Unmarshal(body, in); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return api.ErrSerialization("Invalid value for member %s: expected %s, got a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
			}
			return api.ErrSerialization("Malformed JSON request body: %s", err.Error())
		}
	}
	v := reflect.ValueOf(in).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("location") != "query" {
			continue
		}
		values, ok := query[f.Tag.Get("locationName")]
		if !ok || len(values) == 0 {
			continue
		}
		if f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.String {
			return api.ErrSerialization("query member %s has an unsupported type", f.Name)
		}
		s := values[0]
		v.Field(i).Set(reflect.ValueOf(&s))
	}
	return nil
}

// EncodeOutput encodes an operation output.
func EncodeOutput(out any) ([]byte, error) {
	if out == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(out)
}

type errorBody struct {
	Message string `json:"message"`
}

// WriteError writes err with the X-Amzn-ErrorType header restJson1 requires.
func WriteError(w http.ResponseWriter, requestID string, err api.Error) {
	body, _ := json.Marshal(errorBody{Message: err.ErrorMessage()})
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("x-amzn-RequestId", requestID)
	h.Set("X-Amzn-ErrorType", err.ErrorCode())
	w.WriteHeader(err.HTTPStatus())
	_, _ = w.Write(body)
}

// WriteOutput writes a successful response.
func WriteOutput(w http.ResponseWriter, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
