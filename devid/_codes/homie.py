"""Finding codes of the Homie convention 4 and 5 (HOMIE-*); see docs/homie.md.

Errors are the convention's MUSTs (and its required attributes and fields);
warnings are SHOULDs and what leaves a device or property invisible to
controllers; infos are notes that do not affect the verdict.
"""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

CODES: tuple[CodeSpec, ...] = (
    # -- topics and payloads ---------------------------------------------------------------
    CodeSpec("HOMIE-ID-INVALID", S.ERROR, "A device, node, property, child or domain id is empty or has characters other than a-z, 0-9 and '-' (a placeholder such as <device-id> is not an id).", "Homie 4 §Topic IDs; Homie 5 §Topic IDs; docs/homie.md"),
    CodeSpec("HOMIE-ID-HYPHEN", S.ERROR, "A topic id starts or ends with a hyphen (an error in Homie 4, a warning in Homie 5 whose current text dropped the rule).", "Homie 4 §Topic IDs; Homie 5 §Topic IDs; docs/homie.md"),
    CodeSpec("HOMIE-PAYLOAD-ENCODING", S.ERROR, "A payload is not UTF-8 text (or, in Homie 5, starts with a byte order mark).", "Homie 4 §Payload; Homie 5 §Payloads"),
    CodeSpec("HOMIE-TOPIC-UNKNOWN", S.INFO, "A topic under a device has a shape the convention does not define; it was ignored.", "Homie 4 §Broadcast Channel (any other topic is not part of the convention); Homie 5 §Topology and structure"),
    CodeSpec("HOMIE-LIMIT", S.WARNING, "A devid limit was reached (payload over 64 KiB, too many devices, nodes, properties or buffered values); what lies beyond it was not judged.", "docs/homie.md"),
    # -- lifecycle -------------------------------------------------------------------------
    CodeSpec("HOMIE-STATE-MISSING", S.ERROR, "The device never published $state.", "Homie 4 §Device Attributes; Homie 5 §Device Attributes, §Device Lifecycle"),
    CodeSpec("HOMIE-STATE-INVALID", S.ERROR, "$state has a value the version does not define (v4: init, ready, disconnected, sleeping, lost, alert; v5: the same without alert).", "Homie 4 §Device Lifecycle; Homie 5 §Device Lifecycle"),
    CodeSpec("HOMIE-STATE-NOT-READY", S.ERROR, "The device's last $state is init: it never finished announcing itself (or fell back to init and stayed there).", "Homie 4 §Device Lifecycle; Homie 5 §Device Lifecycle; docs/homie.md"),
    CodeSpec("HOMIE-STATE-ORDER", S.INFO, "$state ready arrived before the description (v5) or the required device attributes (v4); in a retained snapshot the order is the broker's, not the device's.", "Homie 4 §Device Lifecycle; Homie 5 §Device Lifecycle; docs/homie.md"),
    # -- Homie 4 attributes ----------------------------------------------------------------
    CodeSpec("HOMIE-ATTR-MISSING", S.ERROR, "A mandatory v4 device attribute ($homie, $name, $nodes; $extensions as a warning, since an empty value cannot be retained) was never published.", "Homie 4 §Device Attributes"),
    CodeSpec("HOMIE-ATTR-INVALID", S.ERROR, "A v4 attribute has a value outside its grammar ($settable/$retained not true or false, an empty entry in $nodes or $properties).", "Homie 4 §Property Attributes, §Device Attributes"),
    CodeSpec("HOMIE-VERSION-MISMATCH", S.WARNING, "The announced convention version does not match the topic layout ($homie not 4.x under a v4 layout; description homie not \"5.x\" under <domain>/5/); the device was judged by the layout's rules.", "Homie 4 §Device Attributes; Homie 5 §Device Attributes"),
    CodeSpec("HOMIE-NODE-INCOMPLETE", S.ERROR, "A v4 node listed in $nodes (or publishing under the device) lacks a required attribute ($name, $type, $properties).", "Homie 4 §Node Attributes"),
    CodeSpec("HOMIE-NODE-UNLISTED", S.WARNING, "A v4 node publishes topics but is not listed in the device's $nodes; controllers will not discover it.", "Homie 4 §Device Attributes, §Nodes"),
    CodeSpec("HOMIE-PROPERTY-INCOMPLETE", S.ERROR, "A v4 property listed in $properties lacks a required attribute ($name, $datatype).", "Homie 4 §Property Attributes"),
    CodeSpec("HOMIE-PROPERTY-UNLISTED", S.WARNING, "A v4 property publishes attributes but is not listed in its node's $properties; controllers will not discover it.", "Homie 4 §Node Attributes, §Properties"),
    # -- Homie 5 description ---------------------------------------------------------------
    CodeSpec("HOMIE-DESCRIPTION-MISSING", S.ERROR, "A v5 device published $state but never a $description.", "Homie 5 §Device Attributes"),
    CodeSpec("HOMIE-DESC-INVALID-JSON", S.ERROR, "$description is not a JSON object (not JSON, another JSON type, or nested beyond what devid parses).", "Homie 5 §Device Attributes"),
    CodeSpec("HOMIE-DESC-FIELD-MISSING", S.ERROR, "A required field of the description is missing (device homie, version, name; property datatype; root when parent is given).", "Homie 5 §Device Attributes, §Device hierarchy, §Property Attributes"),
    CodeSpec("HOMIE-DESC-FIELD-TYPE", S.ERROR, "A description field has the wrong JSON type (version not an integer, nodes not an object, settable not a boolean, ...).", "Homie 5 §Device Attributes, §Node Attributes, §Property Attributes"),
    CodeSpec("HOMIE-DESC-MISPLACED-PROPERTY", S.WARNING, "An object that looks like a property sits directly in a node instead of under its properties; controllers ignore it.", "Homie 5 §Node Attributes; §Forward compatibility"),
    CodeSpec("HOMIE-DESC-UNKNOWN-FIELD", S.INFO, "The description has fields the convention does not define; controllers ignore them.", "Homie 5 §Forward compatibility"),
    CodeSpec("HOMIE-DESCRIPTION-CHANGED", S.ERROR, "The description changed while the device was ready or sleeping, or changed without a new version.", "Homie 5 §Device Attributes ($description, version)"),
    # -- properties: datatype, format, values ----------------------------------------------
    CodeSpec("HOMIE-DATATYPE-UNKNOWN", S.ERROR, "A property's datatype is not one the version defines.", "Homie 4 §Property Attributes; Homie 5 §Property Attributes"),
    CodeSpec("HOMIE-FORMAT-MISSING", S.ERROR, "An enum or color property has no format.", "Homie 4 §Property Attributes; Homie 5 §Formats"),
    CodeSpec("HOMIE-FORMAT-INVALID", S.ERROR, "A property's format does not follow its datatype's grammar (a json schema that does not parse is a warning: controllers fall back to the default).", "Homie 4 §Property Attributes; Homie 5 §Formats"),
    CodeSpec("HOMIE-VALUE-INVALID", S.ERROR, "A property value (or $target) is not valid for the property's datatype and format.", "Homie 4 §Payload; Homie 5 §Payloads"),
    CodeSpec("HOMIE-VALUE-UNDESCRIBED", S.WARNING, "A value or command was published for a property that was never described, so it could not be judged.", "Homie 4 §Properties; Homie 5 §Properties"),
    CodeSpec("HOMIE-NOT-RETAINED", S.ERROR, "An attribute, the description or a value of a retained property was published without the retain flag (seen with MQTT 5 retain-as-published).", "Homie 4 §QoS and retained messages; Homie 5 §QoS and retained messages"),
    CodeSpec("HOMIE-RETAINED-MISMATCH", S.ERROR, "A value of a property declared non-retained was published retained.", "Homie 4 §Property Attributes ($retained); Homie 5 §QoS and retained messages"),
    CodeSpec("HOMIE-SET-RETAINED", S.ERROR, "A command on a property's set topic was published retained; controllers publish set commands non-retained only.", "Homie 4 §Property command topic; Homie 5 §Property command topic"),
    CodeSpec("HOMIE-SET-NOT-SETTABLE", S.WARNING, "A command was published on the set topic of a property that is not settable.", "Homie 4 §Property command topic; Homie 5 §Property command topic"),
    CodeSpec("HOMIE-SET-INVALID", S.WARNING, "A command on a set topic is not valid for the property's datatype and format.", "Homie 4 §Property command topic; Homie 5 §Property command topic"),
)
