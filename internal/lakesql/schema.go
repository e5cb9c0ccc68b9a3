package lakesql

import "strings"

// shape is what the translator knows of an expression's type: enough to
// pick between DuckDB functions where Trino has one function for several
// types (cardinality of an array or a map) or renders a type differently
// (a timestamp turned into text).
type shape uint8

const (
	sUnknown shape = iota
	sStr
	sNum
	sBool
	sTimestamp
	sTimestampTZ
	sDate
	sTime
	sInterval
	sList
	sMap
	sRow
	sJSON
	sBlob
)

type shapeFn func() shape

func constShape(s shape) shapeFn { return func() shape { return s } }

var unknownShape = constShape(sUnknown)

// lakeColumns are the shapes of the columns and fields of Lake's schemas
// (CloudTrail events, and ActivityAuditLog events from channels), by
// lower-case path. A path in both with different types is left out.
var lakeColumns = func() map[string]shape {
	m := map[string]shape{}
	add := func(sh shape, paths string) {
		for _, p := range strings.Fields(paths) {
			m[p] = sh
		}
	}
	add(sStr, `eventversion eventsource eventname awsregion sourceipaddress useragent errorcode
		errormessage requestid eventid eventtype apiversion recipientaccountid sharedeventid annotation
		vpcendpointid vpcendpointaccountid eventcategory sessioncredentialfromconsole eventjson
		eventjsonchecksum
		useridentity.type useridentity.principalid useridentity.arn useridentity.accountid
		useridentity.accesskeyid useridentity.username useridentity.invokedby useridentity.identityprovider
		useridentity.sessioncontext.attributes.mfaauthenticated
		useridentity.sessioncontext.sessionissuer.type useridentity.sessioncontext.sessionissuer.principalid
		useridentity.sessioncontext.sessionissuer.arn useridentity.sessioncontext.sessionissuer.accountid
		useridentity.sessioncontext.sessionissuer.username
		useridentity.sessioncontext.webidfederationdata.federatedprovider
		useridentity.sessioncontext.sourceidentity useridentity.sessioncontext.ec2roledelivery
		useridentity.sessioncontext.ec2issuedinvpc
		useridentity.onbehalfof.userid useridentity.onbehalfof.identitystorearn
		useridentity.inscopeof.sourcearn useridentity.inscopeof.sourceaccount
		useridentity.inscopeof.issuertype useridentity.inscopeof.credentialsissuedto
		tlsdetails.tlsversion tlsdetails.ciphersuite tlsdetails.clientprovidedhostheader
		metadata.ingestiontime metadata.channelarn
		eventdata.version eventdata.useragent eventdata.eventsource eventdata.eventname
		eventdata.eventtime eventdata.uid eventdata.errorcode eventdata.errormessage
		eventdata.sourceipaddress eventdata.recipientaccountid
		eventdata.useridentity.type eventdata.useridentity.principalid`)
	add(sTimestamp, `eventtime useridentity.sessioncontext.attributes.creationdate`)
	add(sBool, `readonly managementevent`)
	add(sMap, `requestparameters responseelements additionaleventdata serviceeventdetails
		edgedevicedetails insightdetails useridentity.sessioncontext.webidfederationdata.attributes
		eventdata.useridentity.details eventdata.requestparameters eventdata.responseelements
		eventdata.additionaleventdata`)
	add(sList, `resources`)
	add(sRow, `useridentity useridentity.sessioncontext useridentity.sessioncontext.attributes
		useridentity.sessioncontext.sessionissuer useridentity.sessioncontext.webidfederationdata
		useridentity.onbehalfof useridentity.inscopeof tlsdetails metadata eventdata
		eventdata.useridentity`)
	return m
}()

// lakeElements are the shapes of the elements of Lake's arrays and the
// values of its maps.
var lakeElements = map[string]shape{"resources": sRow}

func schemaShape(path []string) shape {
	return lakeColumns[strings.Join(path, ".")]
}

func schemaElement(path []string) shape {
	p := strings.Join(path, ".")
	if lakeColumns[p] == sMap {
		return sStr
	}
	return lakeElements[p]
}

// lookup finds the shape of a reference in the sources of a query
// specification (the first limit of them, if limit >= 0: a reference in
// FROM sees the relations before it) or of the ones it is nested in.
func (sc *specScope) lookup(path []string, elem bool, limit int) shape {
	get := schemaShape
	if elem {
		get = schemaElement
	}
	for s := sc; s != nil; s, limit = s.parent, -1 {
		sources := s.sources
		if limit >= 0 && limit < len(sources) {
			sources = sources[:limit]
		}
		if len(path) > 1 {
			for _, src := range sources {
				if src.alias != "" && src.alias == path[0] {
					if src.table {
						return get(path[1:])
					}
					return sUnknown
				}
			}
		}
		if len(sources) == 0 {
			continue
		}
		for _, src := range sources {
			if !src.table {
				return sUnknown
			}
		}
		return get(path)
	}
	return sUnknown
}

// refShape is the shape of a column reference, known once the statement
// is parsed (a select list comes before its FROM clause).
func (p *parser) refShape(path []string, elem bool) shapeFn {
	sc, limit := p.spec, p.fromLimit
	path = append([]string(nil), path...)
	return func() shape {
		if sc == nil {
			return sUnknown
		}
		return sc.lookup(path, elem, limit)
	}
}
