// Package protocol holds the wire codecs of the AWS protocols Cairn speaks:
// awsjson (AWS JSON 1.1, CloudTrail) and restjson (REST-JSON, CloudTrail
// Data). Codecs turn bytes into generated input structures and outputs or
// errors back into bytes. They know shapes and bindings, never behaviour, and
// never import domain or storage packages.
package protocol
