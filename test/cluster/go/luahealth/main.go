// luahealth reads Kubernetes objects as JSON on stdin (one object, a List, or one object per line) and prints,
// for each, the health Argo CD shows: the health.lua that Argo CD itself would pick for the object's kind, read
// from Argo CD's Go module (github.com/argoproj/argo-cd/v3, its resource_customizations directory), run with
// gopher-lua the way Argo CD runs it (lua_vm.go), then Argo CD's handling of objects being deleted (deletion.go).
// One JSON line per object: {"name", "namespace", "script", "rule": {"status", "message"}, "status", "message"}
// where "rule" is what the script returned and "status"/"message" what Argo CD shows.
//
//	luahealth --argo-cd PATH [--gitops-engine PATH] < objects.json
//	luahealth --argo-cd PATH --rule-tests DIR     # the test cases Argo CD ships beside a rule (rule_tests.go)
//
// PATH is a module's directory or its zip in Go's module cache (`go mod download -json` names both; a module
// that needs a newer Go than the machine's is downloaded and verified but not extracted: its zip is read).
// With --gitops-engine, the module github.com/argoproj/argo-cd/gitops-engine/v3 of the same release: its
// pkg/health/health.go is checked to still say what deletion.go restates (that part is Go, not Lua, and the
// module cannot be built here).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

type health struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

type result struct {
	Name      string  `json:"name"`
	Namespace string  `json:"namespace,omitempty"`
	Script    string  `json:"script"`
	Rule      *health `json:"rule"`
	Status    string  `json:"status"`
	Message   string  `json:"message"`
}

func main() {
	argoCD := flag.String("argo-cd", "", "github.com/argoproj/argo-cd/v3: the module's directory or zip")
	engine := flag.String("gitops-engine", "", "github.com/argoproj/argo-cd/gitops-engine/v3: the module's directory or zip (optional)")
	ruleTests := flag.String("rule-tests", "", "instead of reading stdin: run the test cases Argo CD ships in this directory of resource_customizations")
	flag.Parse()
	if *argoCD == "" {
		fail("--argo-cd is required: the directory or zip of github.com/argoproj/argo-cd/v3 (bash test/cluster/build.sh --module-zip github.com/argoproj/argo-cd/v3@VERSION)")
	}
	customizations, err := openModule(*argoCD, "resource_customizations")
	if err != nil {
		fail("%v", err)
	}
	if *engine != "" {
		if err := checkGitopsEngine(*engine); err != nil {
			fail("%v", err)
		}
	}
	if *ruleTests != "" {
		if err := runRuleTests(customizations, *ruleTests); err != nil {
			fail("%v", err)
		}
		return
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("cannot read stdin: %v", err)
	}
	objects, err := decode(string(input))
	if err != nil {
		fail("%v", err)
	}
	out := json.NewEncoder(os.Stdout)
	for i := range objects {
		obj := &objects[i]
		name, script, err := healthScript(customizations, obj)
		if err != nil {
			fail("%s/%s: %v", obj.GetNamespace(), obj.GetName(), err)
		}
		res := result{Name: obj.GetName(), Namespace: obj.GetNamespace(), Script: name}
		var rule *scriptHealth
		var ruleErr error
		if script != "" {
			rule, ruleErr = executeHealthLua(obj, script)
			if rule != nil {
				res.Rule = &health{Status: rule.Status, Message: rule.Message}
			}
		}
		shown := resourceHealth(obj, rule, ruleErr)
		if shown != nil {
			res.Status, res.Message = shown.Status, shown.Message
		}
		_ = out.Encode(res)
	}
}

// decode parses objects with the unstructured type's own JSON decoder, as client-go does (integers stay int64).
func decode(input string) ([]unstructured.Unstructured, error) {
	trimmed := strings.TrimSpace(input)
	if trimmed == "" {
		return nil, fmt.Errorf("no object on stdin: pipe `kubectl get bucket NAME -o json` into this program")
	}
	docs := []string{trimmed}
	if !(strings.HasPrefix(trimmed, "{") && json.Valid([]byte(trimmed))) {
		docs = nil
		for _, line := range strings.Split(trimmed, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				docs = append(docs, line)
			}
		}
	}
	var objects []unstructured.Unstructured
	for _, doc := range docs {
		var object unstructured.Unstructured
		if err := object.UnmarshalJSON([]byte(doc)); err != nil {
			return nil, fmt.Errorf("not a Kubernetes object: %v", err)
		}
		if !object.IsList() {
			objects = append(objects, object)
			continue
		}
		list, err := object.ToList()
		if err != nil {
			return nil, fmt.Errorf("cannot read the list: %v", err)
		}
		objects = append(objects, list.Items...)
	}
	return objects, nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "luahealth: "+format+"\n", args...)
	os.Exit(2)
}
