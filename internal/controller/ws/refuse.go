package ws

import (
	"encoding/json"
	"net/http"

	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/consts"
)

// refuse answers a request that will not be upgraded with its status and {code,message}.
func refuse(w http.ResponseWriter, err error) {
	code := gerror.Code(err)
	writeJSONError(w, consts.HTTPStatus(code), code.Code(), err.Error())
}

func writeJSONError(w http.ResponseWriter, status, code int, message string) {
	body, _ := json.Marshal(map[string]any{"code": code, "message": message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
