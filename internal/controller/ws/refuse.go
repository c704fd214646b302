package ws

import (
	"net/http"

	"pulse/internal/middleware"
)

// refuse answers a request that will not be upgraded with its status and {code,message}.
func refuse(w http.ResponseWriter, err error) { middleware.WriteHTTPError(w, err) }
