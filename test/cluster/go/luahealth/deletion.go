package main

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// hookFinalizer is gitops-engine's HookFinalizer (pkg/sync/hook/hook.go): Argo CD's own resource hooks.
const hookFinalizer = "argocd.argoproj.io/hook-finalizer"

// builtInGroups are the API groups with health checks written in Go (gitops-engine's GetHealthCheckFunc):
// this program does not restate those, it runs Lua rules only.
var builtInGroups = []string{"", "apps", "extensions", "argoproj.io", "apiregistration.k8s.io", "networking.k8s.io", "batch", "autoscaling"}

// resourceHealth is gitops-engine's GetResourceHealth (pkg/health/health.go) with Argo CD's Lua rules as the
// override, for a kind without a health check in Go: the script's answer, replaced for an object being
// deleted by pendingDeletionHealth. Restated here because gitops-engine needs a newer Go than the machine's
// (--gitops-engine checks its source still says this).
func resourceHealth(obj *unstructured.Unstructured, h *scriptHealth, err error) *health {
	if err != nil {
		return &health{Status: "Unknown", Message: err.Error()}
	}
	if h == nil && slices.Contains(builtInGroups, obj.GroupVersionKind().Group) {
		fail("Argo CD may check %s in Go (gitops-engine's GetHealthCheckFunc covers kinds of the API group %q); this program runs Lua rules only", obj.GroupVersionKind().Kind, obj.GroupVersionKind().Group)
	}
	if d := pendingDeletionHealth(obj, h); d != nil {
		return d
	}
	if h == nil {
		return nil
	}
	return &health{Status: h.Status, Message: h.Message}
}

// pendingDeletionHealth: an object with a deletionTimestamp and without Argo CD's hook finalizer is
// Progressing, "Pending deletion" (naming its finalizers), unless the script set a deletionMessage.
func pendingDeletionHealth(obj *unstructured.Unstructured, h *scriptHealth) *health {
	if obj.GetDeletionTimestamp() == nil || slices.Contains(obj.GetFinalizers(), hookFinalizer) {
		return nil
	}
	if h != nil && h.DeletionMessage != "" {
		return &health{Status: h.Status, Message: h.DeletionMessage}
	}
	msg := "Pending deletion"
	if finalizers := obj.GetFinalizers(); len(finalizers) > 0 {
		msg = "Pending deletion; blocked by finalizers: " + strings.Join(finalizers, ", ")
	}
	return &health{Status: "Progressing", Message: msg}
}

// checkGitopsEngine fails when gitops-engine's source no longer says what resourceHealth restates.
func checkGitopsEngine(path string) error {
	pkg, err := openModule(path, "pkg")
	if err != nil {
		return err
	}
	expected := map[string][]string{
		"health/health.go": {
			"func pendingDeletionHealth(obj *unstructured.Unstructured, health *HealthStatus) *HealthStatus {",
			"if obj.GetDeletionTimestamp() == nil || hook.HasHookFinalizer(obj) {",
			"if health != nil && health.DeletionMessage != \"\" {",
			"msg := \"Pending deletion\"",
			"msg = \"Pending deletion; blocked by finalizers: \" + strings.Join(finalizers, \", \")",
			"Status:  HealthStatusProgressing,",
			"health, err := healthOverride.GetResourceHealth(obj)",
			"if deletionHealth := pendingDeletionHealth(obj, health); deletionHealth != nil {",
		},
		"sync/hook/hook.go": {"HookFinalizer = \"" + hookFinalizer + "\""},
	}
	for file, lines := range expected {
		source, err := fs.ReadFile(pkg, file)
		if err != nil {
			return fmt.Errorf("gitops-engine at %s: %v", path, err)
		}
		for _, line := range lines {
			if !strings.Contains(string(source), line) {
				return fmt.Errorf("gitops-engine's pkg/%s no longer contains %q: review what luahealth's deletion.go restates", file, line)
			}
		}
	}
	return nil
}
