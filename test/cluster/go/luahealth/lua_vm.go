package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	luajson "layeh.com/gopher-json"
)

// scriptHealth is what a health script returns, decoded as Argo CD decodes it (gitops-engine's HealthStatus).
type scriptHealth struct {
	Status          string `json:"status,omitempty"`
	Message         string `json:"message,omitempty"`
	DeletionMessage string `json:"deletionMessage,omitempty"`
}

var validStatuses = map[string]bool{"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true}

// executeHealthLua runs a built-in health script as Argo CD's VM.ExecuteHealthLua does (util/lua/lua.go):
// a fresh gopher-lua state with the standard libraries (built-in scripts run with UseOpenLibs), then package,
// base, table and the "safe" os functions opened again, a one-second deadline, the globals actionParams (empty
// for health) and obj (the object, converted by decodeValue), the script called, its returned table encoded
// with layeh.com/gopher-json and decoded as a HealthStatus. nil: the script returned nil.
func executeHealthLua(obj *unstructured.Unstructured, script string) (*scriptHealth, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: false})
	defer l.Close()
	// Argo CD's oslib_safe.go copies os.time and os.date from gopher-lua's os library: take them from there.
	full := l.GetGlobal(lua.OsLibName).(*lua.LTable)
	safeOs := map[string]lua.LGFunction{
		"time": full.RawGetString("time").(*lua.LFunction).GFunction,
		"date": full.RawGetString("date").(*lua.LFunction).GFunction,
	}
	// As OpenSafeOs does: it registers the functions under the name "table" (lua.TabLibName), so the global
	// os stays the standard library's when the standard libraries are open.
	openSafeOs := func(l *lua.LState) int {
		l.Push(l.RegisterModule(lua.TabLibName, safeOs))
		return 1
	}
	for _, pair := range []struct {
		n string
		f lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.OsLibName, openSafeOs},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(pair.f), NRet: 0, Protect: true}, lua.LString(pair.n)); err != nil {
			return nil, err
		}
	}
	l.PreloadModule(lua.OsLibName, func(l *lua.LState) int {
		l.Push(l.SetFuncs(l.NewTable(), safeOs))
		return 1
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("actionParams", l.CreateTable(0, 0))
	l.SetGlobal("obj", decodeValue(l, obj.Object))

	fn, err := l.LoadString(script)
	if err == nil {
		l.Push(fn)
		err = l.PCall(0, lua.MultRet, nil)
	}
	if apiErr, ok := errors.AsType[*lua.ApiError](err); ok && apiErr.Type == lua.ApiErrorRun {
		apiErr.StackTrace = ""
		err = apiErr
	}
	if err != nil {
		return nil, err
	}
	returned := l.Get(-1)
	switch returned.Type() {
	case lua.LTTable:
		encoded, err := luajson.Encode(returned)
		if err != nil {
			return nil, err
		}
		h := &scriptHealth{}
		if err := json.Unmarshal(encoded, h); err != nil {
			// An empty table encodes as [], which Argo CD reads as an empty status.
			if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && typeErr.Value == "array" {
				return &scriptHealth{}, nil
			}
			return nil, err
		}
		if !validStatuses[h.Status] {
			return &scriptHealth{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
		}
		return h, nil
	case lua.LTNil:
		return nil, nil
	}
	return nil, fmt.Errorf("expect table output from Lua script, not %s", returned.Type().String())
}

// decodeValue converts the object as Argo CD's decodeValue does: numbers (float64 and the int64 the
// unstructured decoder yields) to Lua numbers, lists to array tables, maps to hash tables, anything else nil.
func decodeValue(l *lua.LState, value any) lua.LValue {
	switch converted := value.(type) {
	case bool:
		return lua.LBool(converted)
	case float64:
		return lua.LNumber(converted)
	case string:
		return lua.LString(converted)
	case json.Number:
		return lua.LString(converted)
	case int:
		return lua.LNumber(converted)
	case int32:
		return lua.LNumber(converted)
	case int64:
		return lua.LNumber(converted)
	case []any:
		arr := l.CreateTable(len(converted), 0)
		for _, item := range converted {
			arr.Append(decodeValue(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(converted))
		for key, item := range converted {
			tbl.RawSetH(lua.LString(key), decodeValue(l, item))
		}
		return tbl
	}
	return lua.LNil
}
