// kstatus reads Kubernetes objects as JSON on stdin (one object, a List, or one object per line) and prints,
// for each, the health that Flux, kpt and other kstatus users compute: `sigs.k8s.io/cli-utils/pkg/kstatus/status`'s
// Compute, the library itself. One JSON line per object: {"name", "namespace", "status", "message"}.
//
// The objects are decoded with the unstructured type's own JSON decoder, as client-go does: plain
// encoding/json would make every number a float64, and Compute then fails to read metadata.generation.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type result struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

func main() {
	input, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		fail("cannot read stdin: %v", err)
	}
	trimmed := strings.TrimSpace(string(input))
	if trimmed == "" {
		fail("no object on stdin: pipe `kubectl get bucket NAME -o json` into this program")
	}
	var docs []string
	if strings.HasPrefix(trimmed, "{") && json.Valid([]byte(trimmed)) {
		docs = []string{trimmed}
	} else {
		for _, line := range strings.Split(trimmed, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				docs = append(docs, line)
			}
		}
	}
	out := json.NewEncoder(os.Stdout)
	for _, doc := range docs {
		var object unstructured.Unstructured
		if err := object.UnmarshalJSON([]byte(doc)); err != nil {
			fail("not a Kubernetes object: %v", err)
		}
		objects := []unstructured.Unstructured{object}
		if object.IsList() {
			list, err := object.ToList()
			if err != nil {
				fail("cannot read the list: %v", err)
			}
			objects = list.Items
		}
		for i := range objects {
			res, err := status.Compute(&objects[i])
			if err != nil {
				fail("kstatus cannot compute the status of %s/%s: %v", objects[i].GetNamespace(), objects[i].GetName(), err)
			}
			_ = out.Encode(result{Name: objects[i].GetName(), Namespace: objects[i].GetNamespace(), Status: res.Status.String(), Message: res.Message})
		}
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kstatus: "+format+"\n", args...)
	os.Exit(2)
}
