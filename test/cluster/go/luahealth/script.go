package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const healthScriptFile = "health.lua"

// healthScript picks the built-in health script as Argo CD's VM.GetHealthScript does (util/lua/lua.go) when
// argocd-cm holds no override: GROUP/KIND/health.lua, else the first wildcard directory (a "_" in its path
// standing for "*"; sorted, so the choice is deterministic) that matches GROUP/KIND. Returns the script's
// path under resource_customizations and its text; "" when the kind has none.
func healthScript(customizations fs.FS, obj *unstructured.Unstructured) (string, string, error) {
	gvk := obj.GroupVersionKind()
	key := gvk.Kind
	if gvk.Group != "" {
		key = gvk.Group + "/" + gvk.Kind
	}
	exact := path.Join(key, healthScriptFile)
	data, err := fs.ReadFile(customizations, exact)
	if err == nil {
		return exact, string(data), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", "", err
	}
	var wildcards []string
	err = fs.WalkDir(customizations, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("error walking path %q: %w", p, err)
		}
		if path.Base(p) != healthScriptFile {
			return nil
		}
		groupKindPath := path.Dir(p)
		if !strings.Contains(groupKindPath, "_") {
			return nil
		}
		if !doublestar.ValidatePattern(strings.ReplaceAll(groupKindPath, "_", "*")) {
			return fmt.Errorf("invalid glob pattern %q", groupKindPath)
		}
		wildcards = append(wildcards, groupKindPath)
		return nil
	})
	if err != nil {
		return "", "", err
	}
	slices.Sort(wildcards)
	for _, g := range wildcards {
		if !doublestar.PathMatchUnvalidated(strings.ReplaceAll(g, "_", "*"), key) {
			continue
		}
		name := path.Join(g, healthScriptFile)
		data, err := fs.ReadFile(customizations, name)
		if err != nil {
			return "", "", err
		}
		return name, string(data), nil
	}
	return "", "", nil
}
