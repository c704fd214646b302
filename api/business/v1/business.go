// Package v1 defines the business API: the businesses that recently published row data.
package v1

import "github.com/gogf/gf/v2/frame/g"

// ListReq lists the businesses whose row data the server holds a snapshot of (the keys a chart can
// open with history), most recently published first.
type ListReq struct {
	g.Meta `path:"/businesses" method:"get" credential:"token" tags:"Businesses" summary:"List recently published businesses"`
	Limit  int `json:"limit" in:"query" d:"1000" v:"between:1,10000" dc:"at most this many (1 to 10000)"`
}

// ListRes holds the businesses.
type ListRes struct {
	Items []Business `json:"items"`
}

// Business is one (businessType, businessId) and when row data was last published to it.
type Business struct {
	BusinessType string `json:"businessType"`
	BusinessId   string `json:"businessId"`
	LastTime     int64  `json:"lastTime" dc:"server unix ms of the latest publish"`
}
