package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// runRuleTests runs the test cases Argo CD ships beside a rule (DIR/health_test.yaml: inputPath and the
// expected healthStatus of each) as Argo CD's own TestLuaHealthScript does (util/lua/health_test.go: the
// input read with sigs.k8s.io/yaml, the script chosen for it, its result compared), printing one JSON line
// per case: {"input", "script", "expected", "rule"}. They show that this program runs the rule as Argo CD does.
func runRuleTests(customizations fs.FS, dir string) error {
	raw, err := fs.ReadFile(customizations, path.Join(dir, "health_test.yaml"))
	if err != nil {
		return err
	}
	var spec struct {
		Tests []struct {
			InputPath    string  `json:"inputPath"`
			HealthStatus *health `json:"healthStatus"`
		} `json:"tests"`
	}
	if err := yaml.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s/health_test.yaml: %v", dir, err)
	}
	out := json.NewEncoder(os.Stdout)
	for _, test := range spec.Tests {
		input, err := fs.ReadFile(customizations, path.Join(dir, test.InputPath))
		if err != nil {
			return err
		}
		object := map[string]any{}
		if err := yaml.Unmarshal(input, &object); err != nil {
			return fmt.Errorf("%s: %v", test.InputPath, err)
		}
		obj := &unstructured.Unstructured{Object: object}
		name, script, err := healthScript(customizations, obj)
		if err != nil {
			return err
		}
		line := map[string]any{"input": test.InputPath, "script": name, "expected": test.HealthStatus, "rule": nil}
		if script != "" {
			h, err := executeHealthLua(obj, script)
			if err != nil {
				return fmt.Errorf("%s: %v", test.InputPath, err)
			}
			if h != nil {
				line["rule"] = health{Status: h.Status, Message: h.Message}
			}
		}
		_ = out.Encode(line)
	}
	return nil
}
