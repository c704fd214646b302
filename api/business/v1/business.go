// Package v1 defines the business API: the businesses that recently published row data.
package v1

import "github.com/gogf/gf/v2/frame/g"

// ListReq lists the businesses whose row data the server holds a snapshot of (the keys a chart can
// open with history), most recently published first.
type ListReq struct {
	g.Meta `path:"/businesses" method:"get" credential:"token" tags:"Businesses" summary:"List recently published businesses" dc:"The businesses whose row data the server holds a snapshot of, most recently published first. With auth on, only those the token's rowdata patterns cover; a token without any is 403."`
	Limit  int `json:"limit" in:"query" d:"1000" v:"between:1,10000" dc:"at most this many (1 to 10000)"`
}

// ListRes holds the businesses.
type ListRes struct {
	Items []Business `json:"items" dc:"most recently published first"`
}

// Business is one (businessType, businessId) and when row data was last published to it.
type Business struct {
	BusinessType string `json:"businessType" eg:"meter"`
	BusinessId   string `json:"businessId" eg:"m-001"`
	LastTime     int64  `json:"lastTime" dc:"server unix ms of the latest publish" eg:"1732250000123"`
}
