// Salve webhook media type for Zabbix 6.0 and later.
//
// Paste this into Alerts → Media types → (Salve) → Script. Zabbix runs it (ES5, Duktape) with
// `value` = the media type's parameters as a JSON string, and retries it when it throws.
//
// It posts one JSON document (version "1", the fields Salve's source.zabbix reads) and signs it:
//   X-Salve-Timestamp: <Unix seconds>
//   X-Salve-Signature: <hex HMAC-SHA256(salve_secret, timestamp + ":" + body)>
// Salve refuses deliveries whose timestamp is more than 300 s away from its clock: keep both
// clocks on NTP.
//
// Parameters (docs/sources.md, "source.zabbix", lists them with the macros to give them):
//   salve_url, salve_secret, event_id, event_value, event_update_status, event_update_action,
//   event_update_message, event_recovery_id, event_name, event_nseverity, event_severity,
//   event_timestamp, event_recovery_timestamp, event_date, event_time, event_tags_json,
//   event_tags, event_opdata, trigger_id, trigger_name, trigger_status, trigger_description,
//   host_name, host_ip, zabbix_url, and optionally http_proxy.

var Salve = {
    // Zabbix leaves a macro it cannot resolve here as its own text ("{EVENT.RECOVERY.ID}" in a
    // problem message, "{$ZABBIX.URL}" when the macro is not defined) or as *UNKNOWN*.
    clean: function (v) {
        if (v === undefined || v === null) {
            return '';
        }
        v = String(v).trim();
        if (v === '*UNKNOWN*' || v === 'UNKNOWN' || /^\{[^{}]*\}$/.test(v)) {
            return '';
        }
        return v;
    },

    int: function (v) {
        v = Salve.clean(v);
        return /^\d+$/.test(v) ? parseInt(v, 10) : null;
    },

    // {EVENT.TAGSJSON} is [{"tag": "…", "value": "…"}]; {EVENT.TAGS} ("a:1, b:2") is the fallback.
    tags: function (json, plain) {
        var out = [], list, i, item, at;
        json = Salve.clean(json);
        if (json !== '') {
            try {
                list = JSON.parse(json);
            } catch (error) {
                list = null;
            }
            if (Array.isArray(list)) {
                for (i = 0; i < list.length; i++) {
                    item = list[i];
                    if (item && typeof item.tag === 'string' && item.tag !== '') {
                        out.push({ tag: item.tag, value: typeof item.value === 'string' ? item.value : '' });
                    }
                }
                return out;
            }
        }
        plain = Salve.clean(plain);
        if (plain === '') {
            return out;
        }
        list = plain.split(',');
        for (i = 0; i < list.length; i++) {
            item = list[i].trim();
            if (item === '') {
                continue;
            }
            at = item.indexOf(':');
            out.push(at < 0 ? { tag: item, value: '' } : { tag: item.slice(0, at).trim(), value: item.slice(at + 1).trim() });
        }
        return out;
    },

    // {EVENT.TIMESTAMP} when this Zabbix has it; else {EVENT.DATE} {EVENT.TIME} ("2026.11.24",
    // "09:12:30"), which are the Zabbix server's local time: this script runs there, so the
    // local Date understands them.
    eventTime: function (timestamp, date, time) {
        var seconds = Salve.int(timestamp), d, t;
        if (seconds !== null) {
            return seconds;
        }
        d = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(Salve.clean(date));
        t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(Salve.clean(time));
        if (d && t) {
            return Math.floor(new Date(+d[1], +d[2] - 1, +d[3], +t[1], +t[2], +t[3]).getTime() / 1000);
        }
        return null;
    },

    // The body is pure ASCII (everything else written as \uXXXX), so the bytes signed here are
    // exactly the bytes sent, whatever the engine's internal string encoding.
    ascii: function (json) {
        return json.replace(/[\u007f-\uffff]/g, function (c) {
            return '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4);
        });
    },

    document: function (p) {
        var nseverity = Salve.int(p.event_nseverity);
        return {
            version: '1',
            eventId: Salve.clean(p.event_id),
            // 1 problem, 0 recovery; anything else is sent as is, and Salve refuses it.
            eventValue: Salve.int(p.event_value) === null ? Salve.clean(p.event_value) : Salve.int(p.event_value),
            eventUpdate: Salve.clean(p.event_update_status) === '1',
            updateAction: Salve.clean(p.event_update_action),
            updateMessage: Salve.clean(p.event_update_message),
            recoveryEventId: Salve.clean(p.event_recovery_id),
            eventName: Salve.clean(p.event_name),
            severity: nseverity !== null && nseverity <= 5 ? nseverity : Salve.clean(p.event_severity),
            severityName: Salve.clean(p.event_severity),
            eventTimestamp: Salve.eventTime(p.event_timestamp, p.event_date, p.event_time),
            recoveryTimestamp: Salve.int(p.event_recovery_timestamp),
            tags: Salve.tags(p.event_tags_json, p.event_tags),
            opdata: Salve.clean(p.event_opdata),
            triggerId: Salve.clean(p.trigger_id),
            triggerName: Salve.clean(p.trigger_name),
            triggerStatus: Salve.clean(p.trigger_status),
            triggerDescription: Salve.clean(p.trigger_description),
            host: Salve.clean(p.host_name),
            hostIp: Salve.clean(p.host_ip),
            zabbixUrl: Salve.clean(p.zabbix_url)
        };
    },

    send: function (p) {
        var url = Salve.clean(p.salve_url), secret = p.salve_secret, body, timestamp, request, response, status;
        if (!/^https?:\/\/\S+$/.test(url)) {
            throw 'salve_url must be the http(s) address of the Salve hook, e.g. https://salve.example.internal:8470/hooks/zabbix';
        }
        if (typeof secret !== 'string' || Salve.clean(secret) === '') {
            throw 'salve_secret is not set';
        }
        if (typeof hmac !== 'function') {
            throw 'this Zabbix has no hmac() in its JavaScript engine (Zabbix 6.0 or later is needed)';
        }
        body = Salve.ascii(JSON.stringify(Salve.document(p)));
        timestamp = String(Math.floor(Date.now() / 1000));

        request = new HttpRequest();
        if (Salve.clean(p.http_proxy) !== '') {
            request.setProxy(p.http_proxy);
        }
        request.addHeader('Content-Type: application/json');
        request.addHeader('X-Salve-Timestamp: ' + timestamp);
        request.addHeader('X-Salve-Signature: ' + hmac('sha256', secret, timestamp + ':' + body));
        response = request.post(url, body);
        status = request.getStatus();
        Zabbix.log(4, '[ Salve webhook ] ' + url + ' answered ' + status);
        if (status < 200 || status >= 300) {
            // Throwing makes Zabbix retry (media type "Attempts"); Salve answers 5xx when it
            // wants a retry and 4xx when the delivery itself is refused.
            throw 'Salve answered ' + status + ': ' + String(response).slice(0, 500);
        }
        return 'OK';
    }
};

try {
    return Salve.send(JSON.parse(value));
} catch (error) {
    Zabbix.log(3, '[ Salve webhook ] delivery failed: ' + error);
    throw 'Salve delivery failed: ' + error;
}
