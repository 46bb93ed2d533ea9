package rewrite

import (
	"strings"
	"testing"
)

func TestKeepUntouched(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		src, pristine, printed string
		want                   string
	}{
		{
			name:     "no printer churn",
			src:      "package p\n\nvar a = 1\n",
			pristine: "package p\n\nvar a = 1\n",
			printed:  "package p\n\nvar a = 2\n",
			want:     "package p\n\nvar a = 2\n",
		},
		{
			name:     "reflowed doc comment far from the change stays",
			src:      "package p\n\n// Doc:\n//   indented\nfunc F() {}\n\nvar a = 1\n",
			pristine: "package p\n\n// Doc:\n//\n//\tindented\nfunc F() {}\n\nvar a = 1\n",
			printed:  "package p\n\n// Doc:\n//\n//\tindented\nfunc F() {}\n\nvar a = 2\n",
			want:     "package p\n\n// Doc:\n//   indented\nfunc F() {}\n\nvar a = 2\n",
		},
		{
			// gnostic's writeFile: the rule changed the line after a doc
			// comment the printer reflows; the comment stays as written.
			name:     "churn next to a change stays",
			src:      "package p\n\n// x  y\nvar a = 1\n",
			pristine: "package p\n\n// x y\nvar a = 1\n",
			printed:  "package p\n\n// x y\nvar a = 2\n",
			want:     "package p\n\n// x  y\nvar a = 2\n",
		},
		{
			name:     "a changed line the printer also changed takes the printed form of its run",
			src:      "package p\n\n// x  y\nvar a = 1\n",
			pristine: "package p\n\n// x y\nvar a = 1\n",
			printed:  "package p\n\n// x z\nvar a = 1\n",
			want:     "package p\n\n// x z\nvar a = 1\n",
		},
		{
			// gnostic's lib/gnostic.go: the printer sorts an import block
			// (c moves after b); a rule deletes the import before c's
			// old place. c must not go with it.
			name:     "a line only src has next to a deletion stays",
			src:      "package p\n\nimport (\n\t\"a\"\n\t\"c\"\n\t\"b\"\n)\n",
			pristine: "package p\n\nimport (\n\t\"a\"\n\t\"b\"\n\t\"c\"\n)\n",
			printed:  "package p\n\nimport (\n\t\"b\"\n\t\"c\"\n)\n",
			want:     "package p\n\nimport (\n\t\"c\"\n\t\"b\"\n)\n",
		},
		{
			name:     "insertion and deletion",
			src:      "package p\n\n//  c\nvar a = 1\n\nvar b = 1\n\nvar c = 1\n",
			pristine: "package p\n\n// c\nvar a = 1\n\nvar b = 1\n\nvar c = 1\n",
			printed:  "package p\n\n// c\nvar a = 1\n\nvar c = 1\n\nvar d = 1\n",
			want:     "package p\n\n//  c\nvar a = 1\n\nvar c = 1\n\nvar d = 1\n",
		},
		{
			// go-control-plane imports envoy/api/v2 as v2 and as v2grpc;
			// the printer merges them into one name and renames every use,
			// which no rule asked for.
			name:     "a path imported under two names keeps both",
			src:      "package p\n\nimport (\n\tv2 \"example.com/api/v2\"\n\tv2grpc \"example.com/api/v2\"\n)\n\nvar a = v2.X\n\nvar b = v2grpc.Y\n\nvar c = 1\n",
			pristine: "package p\n\nimport (\n\tv2grpc \"example.com/api/v2\"\n)\n\nvar a = v2grpc.X\n\nvar b = v2grpc.Y\n\nvar c = 1\n",
			printed:  "package p\n\nimport (\n\tv2grpc \"example.com/api/v2\"\n)\n\nvar a = v2grpc.X\n\nvar b = v2grpc.Y\n\nvar c = 2\n",
			want:     "package p\n\nimport (\n\tv2 \"example.com/api/v2\"\n\tv2grpc \"example.com/api/v2\"\n)\n\nvar a = v2.X\n\nvar b = v2grpc.Y\n\nvar c = 2\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(keepUntouched([]byte(tc.src), []byte(tc.pristine), []byte(tc.printed)))
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			if !strings.HasSuffix(got, "\n") {
				t.Error("lost final newline")
			}
		})
	}
}
