// Added to a copy of github.com/aws-controllers-k8s/runtime v0.62.0's pkg/errors at build time
// (test/cluster/build.sh, component ack), never to the module cache.
//
// s3-controller v1.14.0 calls WrapPostCreateError after its CreateBucket, from runtime v0.67.0, which the
// Go module proxy refuses (403). v0.62.0, the newest runtime it serves, has no post-create error kind:
// the error goes back unchanged, as in the s3-controller releases before the call was added (the
// reconciler then sees the "requeue for updates" error itself and requeues the Bucket after a second).
package errors

// WrapPostCreateError returns err unchanged.
func WrapPostCreateError(err error) error { return err }
