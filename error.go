package labelbridge

import (
	"errors"
	"fmt"
)

// Code is a protocol error code. Outside programs switch on these strings.
type Code string

// Request error codes.
const (
	CodeBadJSON             Code = "bad_json"
	CodeUnknownType         Code = "unknown_type"
	CodeInvalidRequest      Code = "invalid_request"
	CodeUnknownPrinter      Code = "unknown_printer"
	CodeUnsupportedKind     Code = "unsupported_kind"
	CodeTooLarge            Code = "too_large"
	CodeNotFound            Code = "not_found"
	CodeIdempotencyConflict Code = "idempotency_conflict"
	CodeUnauthorized        Code = "unauthorized"
	CodeRateLimited         Code = "rate_limited"
	CodeInternal            Code = "internal"
)

// Printer and delivery codes carried by job and document events.
const (
	CodePrinterUnreachable Code = "printer_unreachable"
	CodePaperOut           Code = "paper_out"
	CodeHeadOpen           Code = "head_open"
	CodeCoverOpen          Code = "cover_open"
	CodeRibbonOut          Code = "ribbon_out"
	CodePaperJam           Code = "paper_jam"
	CodePaused             Code = "paused"
	CodeOffline            Code = "offline"
	CodeRenderFailed       Code = "render_failed"
	CodeSendFailed         Code = "send_failed"
)

// Problem is the {"code","message"} object that error replies and events
// carry.
type Problem struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// Error is an error a caller acts on: it carries a protocol code and, for
// invalid requests, the path of the offending field
// ("job.documents[3].data.tracking_number").
type Error struct {
	Code    Code
	Message string
	Path    string
	Err     error
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an invalid_request error about the field at path.
func Invalid(path, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidRequest, Path: path, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Path != "" {
		msg = e.Path + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the protocol code of err, or CodeInternal when err carries
// none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the message a client may see for err. Errors without a
// code are internal and their text stays in the log.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Message
	}
	return "internal error"
}

// ErrorPath returns the field path of err, if it has one.
func ErrorPath(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Path
	}
	return ""
}

// ProblemOf turns err into the object events carry.
func ProblemOf(err error) *Problem {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		msg := e.Message
		if e.Err != nil {
			msg += ": " + e.Err.Error()
		}
		return &Problem{Code: e.Code, Message: msg}
	}
	return &Problem{Code: CodeInternal, Message: "internal error"}
}
