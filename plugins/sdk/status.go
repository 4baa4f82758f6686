package sdk

import (
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// channelErrorDomain marks a gRPC status as carrying a ChannelError.
const channelErrorDomain = "channel.switchboard"

// toStatus turns a connector's error into a gRPC status that keeps a
// ChannelError's code and tells "unsupported" apart from a bug.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	var ce *ChannelError
	switch {
	case errors.As(err, &ce):
		st := status.New(codes.FailedPrecondition, ce.Message)
		if withInfo, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: ce.Code, Domain: channelErrorDomain}); derr == nil {
			st = withInfo
		}
		return st.Err()
	case errors.Is(err, ErrUnsupported):
		return status.Error(codes.Unimplemented, err.Error())
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Unknown, err.Error())
}

// fromStatus is the host's half of toStatus.
func fromStatus(op string, err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch st.Code() {
	case codes.Unimplemented:
		return fmt.Errorf("%s: %w", op, ErrUnsupported)
	case codes.FailedPrecondition:
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok && info.Domain == channelErrorDomain {
				return fmt.Errorf("%s: %w", op, &ChannelError{Code: info.Reason, Message: st.Message()})
			}
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
