package api

//go:generate go run ../../tools/modelstrip -from ../../../shared/aws-models -to ../../models
//go:generate go run ../../tools/apigen -model ../../models/smithy/cloudtrail.json -pkg cloudtrail -out cloudtrail
//go:generate go run ../../tools/apigen -model ../../models/smithy/cloudtrail-data.json -pkg cloudtraildata -out cloudtraildata
