{{/*
Labels of every object: the project's own (as in manifests/, with the object's component), then Helm's
standard ones, which tell which release and chart version made it. Selectors use only the first two of
selectorLabels: they are immutable, and equal to manifests/'s so that either install can replace the other.
*/}}
{{- define "bucket-hook.labels" -}}
app.kubernetes.io/name: bucket-hook
app.kubernetes.io/part-of: bucket-hook
app.kubernetes.io/component: {{ .component }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{- end }}

{{- define "bucket-hook.selectorLabels" -}}
app.kubernetes.io/name: bucket-hook
app.kubernetes.io/component: hook
{{- end }}

{{/* The Secret holding the bearer token: the admin's (token.existingSecret) or the chart's. */}}
{{- define "bucket-hook.tokenSecret" -}}
{{- .Values.token.existingSecret | default "bucket-hook-token" }}
{{- end }}

{{/* The hook's base URL, as Metacontroller calls it: the Service's cluster DNS name. */}}
{{- define "bucket-hook.url" -}}
{{- printf "%s://bucket-hook.%s.svc:8080" (ternary "https" "http" .Values.tls.enabled) .Release.Namespace }}
{{- end }}

{{/*
Values that cannot work, refused at render time with what to do (the hook itself would refuse to start,
later and less visibly: a crash-looping pod).
*/}}
{{- define "bucket-hook.validate" -}}
{{- if not (or .Values.env.AWS_REGION .Values.env.AWS_DEFAULT_REGION) }}
{{- fail "env.AWS_REGION is required: the region Buckets are created in unless they carry the services.k8s.aws/region annotation (--set env.AWS_REGION=eu-west-1)" }}
{{- end }}
{{- range $name := list "HOOK_TOKEN_FILE" "CLAIM_KEY_FILE" "HOST" "ALLOW_UNAUTHENTICATED" "TLS_CERT_FILE" "TLS_KEY_FILE" "POD_NAME" "PORT" "ADMIN_PORT" }}
{{- if hasKey $.Values.env $name }}
{{- fail (printf "env.%s is set by the chart (token, claim key, listening address, tls and the fixed ports 8080 and 8081): remove it from env" $name) }}
{{- end }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.token.enabled) }}
{{- fail "tls.enabled needs token.enabled: both need Metacontroller v4.16 or newer (webhook.caBundle and webhook.authorization), and there it should send the token" }}
{{- end }}
{{- end }}

{{/* The Secret holding the claim key: the admin's (claimKey.existingSecret) or the chart's. */}}
{{- define "bucket-hook.claimKeySecret" -}}
{{- .Values.claimKey.existingSecret | default "bucket-hook-claim-key" }}
{{- end }}
