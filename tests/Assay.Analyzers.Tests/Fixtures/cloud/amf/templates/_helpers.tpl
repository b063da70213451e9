{{/* Expand the name of the chart. */}}
{{- define "amf.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "amf.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "amf.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "amf.labels" -}}
app.kubernetes.io/name: {{ include "amf.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- if semverCompare ">=1.19-0" .Capabilities.KubeVersion.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- end -}}
