/*! StoreChat widget 1.0.0. Bundles socket.io-client (MIT, see vendor/socket.io-client.LICENSE). */
(function () {
"use strict";
var BUNDLED_IO = (function () { var module = { exports: {} }, exports = module.exports, define;
/*!
 * Socket.IO v4.8.1
 * (c) 2014-2024 Guillermo Rauch
 * Released under the MIT License.
 */
!function(t,n){"object"==typeof exports&&"undefined"!=typeof module?module.exports=n():"function"==typeof define&&define.amd?define(n):(t="undefined"!=typeof globalThis?globalThis:t||self).io=n()}(this,(function(){"use strict";function t(t,n){(null==n||n>t.length)&&(n=t.length);for(var i=0,r=Array(n);i<n;i++)r[i]=t[i];return r}function n(t,n){for(var i=0;i<n.length;i++){var r=n[i];r.enumerable=r.enumerable||!1,r.configurable=!0,"value"in r&&(r.writable=!0),Object.defineProperty(t,f(r.key),r)}}function i(t,i,r){return i&&n(t.prototype,i),r&&n(t,r),Object.defineProperty(t,"prototype",{writable:!1}),t}function r(n,i){var r="undefined"!=typeof Symbol&&n[Symbol.iterator]||n["@@iterator"];if(!r){if(Array.isArray(n)||(r=function(n,i){if(n){if("string"==typeof n)return t(n,i);var r={}.toString.call(n).slice(8,-1);return"Object"===r&&n.constructor&&(r=n.constructor.name),"Map"===r||"Set"===r?Array.from(n):"Arguments"===r||/^(?:Ui|I)nt(?:8|16|32)(?:Clamped)?Array$/.test(r)?t(n,i):void 0}}(n))||i&&n&&"number"==typeof n.length){r&&(n=r);var e=0,o=function(){};return{s:o,n:function(){return e>=n.length?{done:!0}:{done:!1,value:n[e++]}},e:function(t){throw t},f:o}}throw new TypeError("Invalid attempt to iterate non-iterable instance.\nIn order to be iterable, non-array objects must have a [Symbol.iterator]() method.")}var s,u=!0,h=!1;return{s:function(){r=r.call(n)},n:function(){var t=r.next();return u=t.done,t},e:function(t){h=!0,s=t},f:function(){try{u||null==r.return||r.return()}finally{if(h)throw s}}}}function e(){return e=Object.assign?Object.assign.bind():function(t){for(var n=1;n<arguments.length;n++){var i=arguments[n];for(var r in i)({}).hasOwnProperty.call(i,r)&&(t[r]=i[r])}return t},e.apply(null,arguments)}function o(t){return o=Object.setPrototypeOf?Object.getPrototypeOf.bind():function(t){return t.__proto__||Object.getPrototypeOf(t)},o(t)}function s(t,n){t.prototype=Object.create(n.prototype),t.prototype.constructor=t,h(t,n)}function u(){try{var t=!Boolean.prototype.valueOf.call(Reflect.construct(Boolean,[],(function(){})))}catch(t){}return(u=function(){return!!t})()}function h(t,n){return h=Object.setPrototypeOf?Object.setPrototypeOf.bind():function(t,n){return t.__proto__=n,t},h(t,n)}function f(t){var n=function(t,n){if("object"!=typeof t||!t)return t;var i=t[Symbol.toPrimitive];if(void 0!==i){var r=i.call(t,n||"default");if("object"!=typeof r)return r;throw new TypeError("@@toPrimitive must return a primitive value.")}return("string"===n?String:Number)(t)}(t,"string");return"symbol"==typeof n?n:n+""}function c(t){return c="function"==typeof Symbol&&"symbol"==typeof Symbol.iterator?function(t){return typeof t}:function(t){return t&&"function"==typeof Symbol&&t.constructor===Symbol&&t!==Symbol.prototype?"symbol":typeof t},c(t)}function a(t){var n="function"==typeof Map?new Map:void 0;return a=function(t){if(null===t||!function(t){try{return-1!==Function.toString.call(t).indexOf("[native code]")}catch(n){return"function"==typeof t}}(t))return t;if("function"!=typeof t)throw new TypeError("Super expression must either be null or a function");if(void 0!==n){if(n.has(t))return n.get(t);n.set(t,i)}function i(){return function(t,n,i){if(u())return Reflect.construct.apply(null,arguments);var r=[null];r.push.apply(r,n);var e=new(t.bind.apply(t,r));return i&&h(e,i.prototype),e}(t,arguments,o(this).constructor)}return i.prototype=Object.create(t.prototype,{constructor:{value:i,enumerable:!1,writable:!0,configurable:!0}}),h(i,t)},a(t)}var v=Object.create(null);v.open="0",v.close="1",v.ping="2",v.pong="3",v.message="4",v.upgrade="5",v.noop="6";var l=Object.create(null);Object.keys(v).forEach((function(t){l[v[t]]=t}));var p,d={type:"error",data:"parser error"},y="function"==typeof Blob||"undefined"!=typeof Blob&&"[object BlobConstructor]"===Object.prototype.toString.call(Blob),b="function"==typeof ArrayBuffer,w=function(t){return"function"==typeof ArrayBuffer.isView?ArrayBuffer.isView(t):t&&t.buffer instanceof ArrayBuffer},g=function(t,n,i){var r=t.type,e=t.data;return y&&e instanceof Blob?n?i(e):m(e,i):b&&(e instanceof ArrayBuffer||w(e))?n?i(e):m(new Blob([e]),i):i(v[r]+(e||""))},m=function(t,n){var i=new FileReader;return i.onload=function(){var t=i.result.split(",")[1];n("b"+(t||""))},i.readAsDataURL(t)};function k(t){return t instanceof Uint8Array?t:t instanceof ArrayBuffer?new Uint8Array(t):new Uint8Array(t.buffer,t.byteOffset,t.byteLength)}for(var A="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",j="undefined"==typeof Uint8Array?[]:new Uint8Array(256),E=0;E<64;E++)j[A.charCodeAt(E)]=E;var O,B="function"==typeof ArrayBuffer,S=function(t,n){if("string"!=typeof t)return{type:"message",data:C(t,n)};var i=t.charAt(0);return"b"===i?{type:"message",data:N(t.substring(1),n)}:l[i]?t.length>1?{type:l[i],data:t.substring(1)}:{type:l[i]}:d},N=function(t,n){if(B){var i=function(t){var n,i,r,e,o,s=.75*t.length,u=t.length,h=0;"="===t[t.length-1]&&(s--,"="===t[t.length-2]&&s--);var f=new ArrayBuffer(s),c=new Uint8Array(f);for(n=0;n<u;n+=4)i=j[t.charCodeAt(n)],r=j[t.charCodeAt(n+1)],e=j[t.charCodeAt(n+2)],o=j[t.charCodeAt(n+3)],c[h++]=i<<2|r>>4,c[h++]=(15&r)<<4|e>>2,c[h++]=(3&e)<<6|63&o;return f}(t);return C(i,n)}return{base64:!0,data:t}},C=function(t,n){return"blob"===n?t instanceof Blob?t:new Blob([t]):t instanceof ArrayBuffer?t:t.buffer},T=String.fromCharCode(30);function U(){return new TransformStream({transform:function(t,n){!function(t,n){y&&t.data instanceof Blob?t.data.arrayBuffer().then(k).then(n):b&&(t.data instanceof ArrayBuffer||w(t.data))?n(k(t.data)):g(t,!1,(function(t){p||(p=new TextEncoder),n(p.encode(t))}))}(t,(function(i){var r,e=i.length;if(e<126)r=new Uint8Array(1),new DataView(r.buffer).setUint8(0,e);else if(e<65536){r=new Uint8Array(3);var o=new DataView(r.buffer);o.setUint8(0,126),o.setUint16(1,e)}else{r=new Uint8Array(9);var s=new DataView(r.buffer);s.setUint8(0,127),s.setBigUint64(1,BigInt(e))}t.data&&"string"!=typeof t.data&&(r[0]|=128),n.enqueue(r),n.enqueue(i)}))}})}function M(t){return t.reduce((function(t,n){return t+n.length}),0)}function x(t,n){if(t[0].length===n)return t.shift();for(var i=new Uint8Array(n),r=0,e=0;e<n;e++)i[e]=t[0][r++],r===t[0].length&&(t.shift(),r=0);return t.length&&r<t[0].length&&(t[0]=t[0].slice(r)),i}function I(t){if(t)return function(t){for(var n in I.prototype)t[n]=I.prototype[n];return t}(t)}I.prototype.on=I.prototype.addEventListener=function(t,n){return this.t=this.t||{},(this.t["$"+t]=this.t["$"+t]||[]).push(n),this},I.prototype.once=function(t,n){function i(){this.off(t,i),n.apply(this,arguments)}return i.fn=n,this.on(t,i),this},I.prototype.off=I.prototype.removeListener=I.prototype.removeAllListeners=I.prototype.removeEventListener=function(t,n){if(this.t=this.t||{},0==arguments.length)return this.t={},this;var i,r=this.t["$"+t];if(!r)return this;if(1==arguments.length)return delete this.t["$"+t],this;for(var e=0;e<r.length;e++)if((i=r[e])===n||i.fn===n){r.splice(e,1);break}return 0===r.length&&delete this.t["$"+t],this},I.prototype.emit=function(t){this.t=this.t||{};for(var n=new Array(arguments.length-1),i=this.t["$"+t],r=1;r<arguments.length;r++)n[r-1]=arguments[r];if(i){r=0;for(var e=(i=i.slice(0)).length;r<e;++r)i[r].apply(this,n)}return this},I.prototype.emitReserved=I.prototype.emit,I.prototype.listeners=function(t){return this.t=this.t||{},this.t["$"+t]||[]},I.prototype.hasListeners=function(t){return!!this.listeners(t).length};var R="function"==typeof Promise&&"function"==typeof Promise.resolve?function(t){return Promise.resolve().then(t)}:function(t,n){return n(t,0)},L="undefined"!=typeof self?self:"undefined"!=typeof window?window:Function("return this")();function _(t){for(var n=arguments.length,i=new Array(n>1?n-1:0),r=1;r<n;r++)i[r-1]=arguments[r];return i.reduce((function(n,i){return t.hasOwnProperty(i)&&(n[i]=t[i]),n}),{})}var D=L.setTimeout,P=L.clearTimeout;function $(t,n){n.useNativeTimers?(t.setTimeoutFn=D.bind(L),t.clearTimeoutFn=P.bind(L)):(t.setTimeoutFn=L.setTimeout.bind(L),t.clearTimeoutFn=L.clearTimeout.bind(L))}function F(){return Date.now().toString(36).substring(3)+Math.random().toString(36).substring(2,5)}var V=function(t){function n(n,i,r){var e;return(e=t.call(this,n)||this).description=i,e.context=r,e.type="TransportError",e}return s(n,t),n}(a(Error)),q=function(t){function n(n){var i;return(i=t.call(this)||this).writable=!1,$(i,n),i.opts=n,i.query=n.query,i.socket=n.socket,i.supportsBinary=!n.forceBase64,i}s(n,t);var i=n.prototype;return i.onError=function(n,i,r){return t.prototype.emitReserved.call(this,"error",new V(n,i,r)),this},i.open=function(){return this.readyState="opening",this.doOpen(),this},i.close=function(){return"opening"!==this.readyState&&"open"!==this.readyState||(this.doClose(),this.onClose()),this},i.send=function(t){"open"===this.readyState&&this.write(t)},i.onOpen=function(){this.readyState="open",this.writable=!0,t.prototype.emitReserved.call(this,"open")},i.onData=function(t){var n=S(t,this.socket.binaryType);this.onPacket(n)},i.onPacket=function(n){t.prototype.emitReserved.call(this,"packet",n)},i.onClose=function(n){this.readyState="closed",t.prototype.emitReserved.call(this,"close",n)},i.pause=function(t){},i.createUri=function(t){var n=arguments.length>1&&void 0!==arguments[1]?arguments[1]:{};return t+"://"+this.i()+this.o()+this.opts.path+this.u(n)},i.i=function(){var t=this.opts.hostname;return-1===t.indexOf(":")?t:"["+t+"]"},i.o=function(){return this.opts.port&&(this.opts.secure&&Number(443!==this.opts.port)||!this.opts.secure&&80!==Number(this.opts.port))?":"+this.opts.port:""},i.u=function(t){var n=function(t){var n="";for(var i in t)t.hasOwnProperty(i)&&(n.length&&(n+="&"),n+=encodeURIComponent(i)+"="+encodeURIComponent(t[i]));return n}(t);return n.length?"?"+n:""},n}(I),X=function(t){function n(){var n;return(n=t.apply(this,arguments)||this).h=!1,n}s(n,t);var r=n.prototype;return r.doOpen=function(){this.v()},r.pause=function(t){var n=this;this.readyState="pausing";var i=function(){n.readyState="paused",t()};if(this.h||!this.writable){var r=0;this.h&&(r++,this.once("pollComplete",(function(){--r||i()}))),this.writable||(r++,this.once("drain",(function(){--r||i()})))}else i()},r.v=function(){this.h=!0,this.doPoll(),this.emitReserved("poll")},r.onData=function(t){var n=this;(function(t,n){for(var i=t.split(T),r=[],e=0;e<i.length;e++){var o=S(i[e],n);if(r.push(o),"error"===o.type)break}return r})(t,this.socket.binaryType).forEach((function(t){if("opening"===n.readyState&&"open"===t.type&&n.onOpen(),"close"===t.type)return n.onClose({description:"transport closed by the server"}),!1;n.onPacket(t)})),"closed"!==this.readyState&&(this.h=!1,this.emitReserved("pollComplete"),"open"===this.readyState&&this.v())},r.doClose=function(){var t=this,n=function(){t.write([{type:"close"}])};"open"===this.readyState?n():this.once("open",n)},r.write=function(t){var n=this;this.writable=!1,function(t,n){var i=t.length,r=new Array(i),e=0;t.forEach((function(t,o){g(t,!1,(function(t){r[o]=t,++e===i&&n(r.join(T))}))}))}(t,(function(t){n.doWrite(t,(function(){n.writable=!0,n.emitReserved("drain")}))}))},r.uri=function(){var t=this.opts.secure?"https":"http",n=this.query||{};return!1!==this.opts.timestampRequests&&(n[this.opts.timestampParam]=F()),this.supportsBinary||n.sid||(n.b64=1),this.createUri(t,n)},i(n,[{key:"name",get:function(){return"polling"}}])}(q),H=!1;try{H="undefined"!=typeof XMLHttpRequest&&"withCredentials"in new XMLHttpRequest}catch(t){}var z=H;function J(){}var K=function(t){function n(n){var i;if(i=t.call(this,n)||this,"undefined"!=typeof location){var r="https:"===location.protocol,e=location.port;e||(e=r?"443":"80"),i.xd="undefined"!=typeof location&&n.hostname!==location.hostname||e!==n.port}return i}s(n,t);var i=n.prototype;return i.doWrite=function(t,n){var i=this,r=this.request({method:"POST",data:t});r.on("success",n),r.on("error",(function(t,n){i.onError("xhr post error",t,n)}))},i.doPoll=function(){var t=this,n=this.request();n.on("data",this.onData.bind(this)),n.on("error",(function(n,i){t.onError("xhr poll error",n,i)})),this.pollXhr=n},n}(X),Y=function(t){function n(n,i,r){var e;return(e=t.call(this)||this).createRequest=n,$(e,r),e.l=r,e.p=r.method||"GET",e.m=i,e.k=void 0!==r.data?r.data:null,e.A(),e}s(n,t);var i=n.prototype;return i.A=function(){var t,i=this,r=_(this.l,"agent","pfx","key","passphrase","cert","ca","ciphers","rejectUnauthorized","autoUnref");r.xdomain=!!this.l.xd;var e=this.j=this.createRequest(r);try{e.open(this.p,this.m,!0);try{if(this.l.extraHeaders)for(var o in e.setDisableHeaderCheck&&e.setDisableHeaderCheck(!0),this.l.extraHeaders)this.l.extraHeaders.hasOwnProperty(o)&&e.setRequestHeader(o,this.l.extraHeaders[o])}catch(t){}if("POST"===this.p)try{e.setRequestHeader("Content-type","text/plain;charset=UTF-8")}catch(t){}try{e.setRequestHeader("Accept","*/*")}catch(t){}null===(t=this.l.cookieJar)||void 0===t||t.addCookies(e),"withCredentials"in e&&(e.withCredentials=this.l.withCredentials),this.l.requestTimeout&&(e.timeout=this.l.requestTimeout),e.onreadystatechange=function(){var t;3===e.readyState&&(null===(t=i.l.cookieJar)||void 0===t||t.parseCookies(e.getResponseHeader("set-cookie"))),4===e.readyState&&(200===e.status||1223===e.status?i.O():i.setTimeoutFn((function(){i.B("number"==typeof e.status?e.status:0)}),0))},e.send(this.k)}catch(t){return void this.setTimeoutFn((function(){i.B(t)}),0)}"undefined"!=typeof document&&(this.S=n.requestsCount++,n.requests[this.S]=this)},i.B=function(t){this.emitReserved("error",t,this.j),this.N(!0)},i.N=function(t){if(void 0!==this.j&&null!==this.j){if(this.j.onreadystatechange=J,t)try{this.j.abort()}catch(t){}"undefined"!=typeof document&&delete n.requests[this.S],this.j=null}},i.O=function(){var t=this.j.responseText;null!==t&&(this.emitReserved("data",t),this.emitReserved("success"),this.N())},i.abort=function(){this.N()},n}(I);if(Y.requestsCount=0,Y.requests={},"undefined"!=typeof document)if("function"==typeof attachEvent)attachEvent("onunload",G);else if("function"==typeof addEventListener){addEventListener("onpagehide"in L?"pagehide":"unload",G,!1)}function G(){for(var t in Y.requests)Y.requests.hasOwnProperty(t)&&Y.requests[t].abort()}var Q,W=(Q=tt({xdomain:!1}))&&null!==Q.responseType,Z=function(t){function n(n){var i;i=t.call(this,n)||this;var r=n&&n.forceBase64;return i.supportsBinary=W&&!r,i}return s(n,t),n.prototype.request=function(){var t=arguments.length>0&&void 0!==arguments[0]?arguments[0]:{};return e(t,{xd:this.xd},this.opts),new Y(tt,this.uri(),t)},n}(K);function tt(t){var n=t.xdomain;try{if("undefined"!=typeof XMLHttpRequest&&(!n||z))return new XMLHttpRequest}catch(t){}if(!n)try{return new(L[["Active"].concat("Object").join("X")])("Microsoft.XMLHTTP")}catch(t){}}var nt="undefined"!=typeof navigator&&"string"==typeof navigator.product&&"reactnative"===navigator.product.toLowerCase(),it=function(t){function n(){return t.apply(this,arguments)||this}s(n,t);var r=n.prototype;return r.doOpen=function(){var t=this.uri(),n=this.opts.protocols,i=nt?{}:_(this.opts,"agent","perMessageDeflate","pfx","key","passphrase","cert","ca","ciphers","rejectUnauthorized","localAddress","protocolVersion","origin","maxPayload","family","checkServerIdentity");this.opts.extraHeaders&&(i.headers=this.opts.extraHeaders);try{this.ws=this.createSocket(t,n,i)}catch(t){return this.emitReserved("error",t)}this.ws.binaryType=this.socket.binaryType,this.addEventListeners()},r.addEventListeners=function(){var t=this;this.ws.onopen=function(){t.opts.autoUnref&&t.ws.C.unref(),t.onOpen()},this.ws.onclose=function(n){return t.onClose({description:"websocket connection closed",context:n})},this.ws.onmessage=function(n){return t.onData(n.data)},this.ws.onerror=function(n){return t.onError("websocket error",n)}},r.write=function(t){var n=this;this.writable=!1;for(var i=function(){var i=t[r],e=r===t.length-1;g(i,n.supportsBinary,(function(t){try{n.doWrite(i,t)}catch(t){}e&&R((function(){n.writable=!0,n.emitReserved("drain")}),n.setTimeoutFn)}))},r=0;r<t.length;r++)i()},r.doClose=function(){void 0!==this.ws&&(this.ws.onerror=function(){},this.ws.close(),this.ws=null)},r.uri=function(){var t=this.opts.secure?"wss":"ws",n=this.query||{};return this.opts.timestampRequests&&(n[this.opts.timestampParam]=F()),this.supportsBinary||(n.b64=1),this.createUri(t,n)},i(n,[{key:"name",get:function(){return"websocket"}}])}(q),rt=L.WebSocket||L.MozWebSocket,et=function(t){function n(){return t.apply(this,arguments)||this}s(n,t);var i=n.prototype;return i.createSocket=function(t,n,i){return nt?new rt(t,n,i):n?new rt(t,n):new rt(t)},i.doWrite=function(t,n){this.ws.send(n)},n}(it),ot=function(t){function n(){return t.apply(this,arguments)||this}s(n,t);var r=n.prototype;return r.doOpen=function(){var t=this;try{this.T=new WebTransport(this.createUri("https"),this.opts.transportOptions[this.name])}catch(t){return this.emitReserved("error",t)}this.T.closed.then((function(){t.onClose()})).catch((function(n){t.onError("webtransport error",n)})),this.T.ready.then((function(){t.T.createBidirectionalStream().then((function(n){var i=function(t,n){O||(O=new TextDecoder);var i=[],r=0,e=-1,o=!1;return new TransformStream({transform:function(s,u){for(i.push(s);;){if(0===r){if(M(i)<1)break;var h=x(i,1);o=!(128&~h[0]),e=127&h[0],r=e<126?3:126===e?1:2}else if(1===r){if(M(i)<2)break;var f=x(i,2);e=new DataView(f.buffer,f.byteOffset,f.length).getUint16(0),r=3}else if(2===r){if(M(i)<8)break;var c=x(i,8),a=new DataView(c.buffer,c.byteOffset,c.length),v=a.getUint32(0);if(v>Math.pow(2,21)-1){u.enqueue(d);break}e=v*Math.pow(2,32)+a.getUint32(4),r=3}else{if(M(i)<e)break;var l=x(i,e);u.enqueue(S(o?l:O.decode(l),n)),r=0}if(0===e||e>t){u.enqueue(d);break}}}})}(Number.MAX_SAFE_INTEGER,t.socket.binaryType),r=n.readable.pipeThrough(i).getReader(),e=U();e.readable.pipeTo(n.writable),t.U=e.writable.getWriter();!function n(){r.read().then((function(i){var r=i.done,e=i.value;r||(t.onPacket(e),n())})).catch((function(t){}))}();var o={type:"open"};t.query.sid&&(o.data='{"sid":"'.concat(t.query.sid,'"}')),t.U.write(o).then((function(){return t.onOpen()}))}))}))},r.write=function(t){var n=this;this.writable=!1;for(var i=function(){var i=t[r],e=r===t.length-1;n.U.write(i).then((function(){e&&R((function(){n.writable=!0,n.emitReserved("drain")}),n.setTimeoutFn)}))},r=0;r<t.length;r++)i()},r.doClose=function(){var t;null===(t=this.T)||void 0===t||t.close()},i(n,[{key:"name",get:function(){return"webtransport"}}])}(q),st={websocket:et,webtransport:ot,polling:Z},ut=/^(?:(?![^:@\/?#]+:[^:@\/]*@)(http|https|ws|wss):\/\/)?((?:(([^:@\/?#]*)(?::([^:@\/?#]*))?)?@)?((?:[a-f0-9]{0,4}:){2,7}[a-f0-9]{0,4}|[^:\/?#]*)(?::(\d*))?)(((\/(?:[^?#](?![^?#\/]*\.[^?#\/.]+(?:[?#]|$)))*\/?)?([^?#\/]*))(?:\?([^#]*))?(?:#(.*))?)/,ht=["source","protocol","authority","userInfo","user","password","host","port","relative","path","directory","file","query","anchor"];function ft(t){if(t.length>8e3)throw"URI too long";var n=t,i=t.indexOf("["),r=t.indexOf("]");-1!=i&&-1!=r&&(t=t.substring(0,i)+t.substring(i,r).replace(/:/g,";")+t.substring(r,t.length));for(var e,o,s=ut.exec(t||""),u={},h=14;h--;)u[ht[h]]=s[h]||"";return-1!=i&&-1!=r&&(u.source=n,u.host=u.host.substring(1,u.host.length-1).replace(/;/g,":"),u.authority=u.authority.replace("[","").replace("]","").replace(/;/g,":"),u.ipv6uri=!0),u.pathNames=function(t,n){var i=/\/{2,9}/g,r=n.replace(i,"/").split("/");"/"!=n.slice(0,1)&&0!==n.length||r.splice(0,1);"/"==n.slice(-1)&&r.splice(r.length-1,1);return r}(0,u.path),u.queryKey=(e=u.query,o={},e.replace(/(?:^|&)([^&=]*)=?([^&]*)/g,(function(t,n,i){n&&(o[n]=i)})),o),u}var ct="function"==typeof addEventListener&&"function"==typeof removeEventListener,at=[];ct&&addEventListener("offline",(function(){at.forEach((function(t){return t()}))}),!1);var vt=function(t){function n(n,i){var r;if((r=t.call(this)||this).binaryType="arraybuffer",r.writeBuffer=[],r.M=0,r.I=-1,r.R=-1,r.L=-1,r._=1/0,n&&"object"===c(n)&&(i=n,n=null),n){var o=ft(n);i.hostname=o.host,i.secure="https"===o.protocol||"wss"===o.protocol,i.port=o.port,o.query&&(i.query=o.query)}else i.host&&(i.hostname=ft(i.host).host);return $(r,i),r.secure=null!=i.secure?i.secure:"undefined"!=typeof location&&"https:"===location.protocol,i.hostname&&!i.port&&(i.port=r.secure?"443":"80"),r.hostname=i.hostname||("undefined"!=typeof location?location.hostname:"localhost"),r.port=i.port||("undefined"!=typeof location&&location.port?location.port:r.secure?"443":"80"),r.transports=[],r.D={},i.transports.forEach((function(t){var n=t.prototype.name;r.transports.push(n),r.D[n]=t})),r.opts=e({path:"/engine.io",agent:!1,withCredentials:!1,upgrade:!0,timestampParam:"t",rememberUpgrade:!1,addTrailingSlash:!0,rejectUnauthorized:!0,perMessageDeflate:{threshold:1024},transportOptions:{},closeOnBeforeunload:!1},i),r.opts.path=r.opts.path.replace(/\/$/,"")+(r.opts.addTrailingSlash?"/":""),"string"==typeof r.opts.query&&(r.opts.query=function(t){for(var n={},i=t.split("&"),r=0,e=i.length;r<e;r++){var o=i[r].split("=");n[decodeURIComponent(o[0])]=decodeURIComponent(o[1])}return n}(r.opts.query)),ct&&(r.opts.closeOnBeforeunload&&(r.P=function(){r.transport&&(r.transport.removeAllListeners(),r.transport.close())},addEventListener("beforeunload",r.P,!1)),"localhost"!==r.hostname&&(r.$=function(){r.F("transport close",{description:"network connection lost"})},at.push(r.$))),r.opts.withCredentials&&(r.V=void 0),r.q(),r}s(n,t);var i=n.prototype;return i.createTransport=function(t){var n=e({},this.opts.query);n.EIO=4,n.transport=t,this.id&&(n.sid=this.id);var i=e({},this.opts,{query:n,socket:this,hostname:this.hostname,secure:this.secure,port:this.port},this.opts.transportOptions[t]);return new this.D[t](i)},i.q=function(){var t=this;if(0!==this.transports.length){var i=this.opts.rememberUpgrade&&n.priorWebsocketSuccess&&-1!==this.transports.indexOf("websocket")?"websocket":this.transports[0];this.readyState="opening";var r=this.createTransport(i);r.open(),this.setTransport(r)}else this.setTimeoutFn((function(){t.emitReserved("error","No transports available")}),0)},i.setTransport=function(t){var n=this;this.transport&&this.transport.removeAllListeners(),this.transport=t,t.on("drain",this.X.bind(this)).on("packet",this.H.bind(this)).on("error",this.B.bind(this)).on("close",(function(t){return n.F("transport close",t)}))},i.onOpen=function(){this.readyState="open",n.priorWebsocketSuccess="websocket"===this.transport.name,this.emitReserved("open"),this.flush()},i.H=function(t){if("opening"===this.readyState||"open"===this.readyState||"closing"===this.readyState)switch(this.emitReserved("packet",t),this.emitReserved("heartbeat"),t.type){case"open":this.onHandshake(JSON.parse(t.data));break;case"ping":this.J("pong"),this.emitReserved("ping"),this.emitReserved("pong"),this.K();break;case"error":var n=new Error("server error");n.code=t.data,this.B(n);break;case"message":this.emitReserved("data",t.data),this.emitReserved("message",t.data)}},i.onHandshake=function(t){this.emitReserved("handshake",t),this.id=t.sid,this.transport.query.sid=t.sid,this.I=t.pingInterval,this.R=t.pingTimeout,this.L=t.maxPayload,this.onOpen(),"closed"!==this.readyState&&this.K()},i.K=function(){var t=this;this.clearTimeoutFn(this.Y);var n=this.I+this.R;this._=Date.now()+n,this.Y=this.setTimeoutFn((function(){t.F("ping timeout")}),n),this.opts.autoUnref&&this.Y.unref()},i.X=function(){this.writeBuffer.splice(0,this.M),this.M=0,0===this.writeBuffer.length?this.emitReserved("drain"):this.flush()},i.flush=function(){if("closed"!==this.readyState&&this.transport.writable&&!this.upgrading&&this.writeBuffer.length){var t=this.G();this.transport.send(t),this.M=t.length,this.emitReserved("flush")}},i.G=function(){if(!(this.L&&"polling"===this.transport.name&&this.writeBuffer.length>1))return this.writeBuffer;for(var t,n=1,i=0;i<this.writeBuffer.length;i++){var r=this.writeBuffer[i].data;if(r&&(n+="string"==typeof(t=r)?function(t){for(var n=0,i=0,r=0,e=t.length;r<e;r++)(n=t.charCodeAt(r))<128?i+=1:n<2048?i+=2:n<55296||n>=57344?i+=3:(r++,i+=4);return i}(t):Math.ceil(1.33*(t.byteLength||t.size))),i>0&&n>this.L)return this.writeBuffer.slice(0,i);n+=2}return this.writeBuffer},i.W=function(){var t=this;if(!this._)return!0;var n=Date.now()>this._;return n&&(this._=0,R((function(){t.F("ping timeout")}),this.setTimeoutFn)),n},i.write=function(t,n,i){return this.J("message",t,n,i),this},i.send=function(t,n,i){return this.J("message",t,n,i),this},i.J=function(t,n,i,r){if("function"==typeof n&&(r=n,n=void 0),"function"==typeof i&&(r=i,i=null),"closing"!==this.readyState&&"closed"!==this.readyState){(i=i||{}).compress=!1!==i.compress;var e={type:t,data:n,options:i};this.emitReserved("packetCreate",e),this.writeBuffer.push(e),r&&this.once("flush",r),this.flush()}},i.close=function(){var t=this,n=function(){t.F("forced close"),t.transport.close()},i=function i(){t.off("upgrade",i),t.off("upgradeError",i),n()},r=function(){t.once("upgrade",i),t.once("upgradeError",i)};return"opening"!==this.readyState&&"open"!==this.readyState||(this.readyState="closing",this.writeBuffer.length?this.once("drain",(function(){t.upgrading?r():n()})):this.upgrading?r():n()),this},i.B=function(t){if(n.priorWebsocketSuccess=!1,this.opts.tryAllTransports&&this.transports.length>1&&"opening"===this.readyState)return this.transports.shift(),this.q();this.emitReserved("error",t),this.F("transport error",t)},i.F=function(t,n){if("opening"===this.readyState||"open"===this.readyState||"closing"===this.readyState){if(this.clearTimeoutFn(this.Y),this.transport.removeAllListeners("close"),this.transport.close(),this.transport.removeAllListeners(),ct&&(this.P&&removeEventListener("beforeunload",this.P,!1),this.$)){var i=at.indexOf(this.$);-1!==i&&at.splice(i,1)}this.readyState="closed",this.id=null,this.emitReserved("close",t,n),this.writeBuffer=[],this.M=0}},n}(I);vt.protocol=4;var lt=function(t){function n(){var n;return(n=t.apply(this,arguments)||this).Z=[],n}s(n,t);var i=n.prototype;return i.onOpen=function(){if(t.prototype.onOpen.call(this),"open"===this.readyState&&this.opts.upgrade)for(var n=0;n<this.Z.length;n++)this.tt(this.Z[n])},i.tt=function(t){var n=this,i=this.createTransport(t),r=!1;vt.priorWebsocketSuccess=!1;var e=function(){r||(i.send([{type:"ping",data:"probe"}]),i.once("packet",(function(t){if(!r)if("pong"===t.type&&"probe"===t.data){if(n.upgrading=!0,n.emitReserved("upgrading",i),!i)return;vt.priorWebsocketSuccess="websocket"===i.name,n.transport.pause((function(){r||"closed"!==n.readyState&&(c(),n.setTransport(i),i.send([{type:"upgrade"}]),n.emitReserved("upgrade",i),i=null,n.upgrading=!1,n.flush())}))}else{var e=new Error("probe error");e.transport=i.name,n.emitReserved("upgradeError",e)}})))};function o(){r||(r=!0,c(),i.close(),i=null)}var s=function(t){var r=new Error("probe error: "+t);r.transport=i.name,o(),n.emitReserved("upgradeError",r)};function u(){s("transport closed")}function h(){s("socket closed")}function f(t){i&&t.name!==i.name&&o()}var c=function(){i.removeListener("open",e),i.removeListener("error",s),i.removeListener("close",u),n.off("close",h),n.off("upgrading",f)};i.once("open",e),i.once("error",s),i.once("close",u),this.once("close",h),this.once("upgrading",f),-1!==this.Z.indexOf("webtransport")&&"webtransport"!==t?this.setTimeoutFn((function(){r||i.open()}),200):i.open()},i.onHandshake=function(n){this.Z=this.nt(n.upgrades),t.prototype.onHandshake.call(this,n)},i.nt=function(t){for(var n=[],i=0;i<t.length;i++)~this.transports.indexOf(t[i])&&n.push(t[i]);return n},n}(vt),pt=function(t){function n(n){var i=arguments.length>1&&void 0!==arguments[1]?arguments[1]:{},r="object"===c(n)?n:i;return(!r.transports||r.transports&&"string"==typeof r.transports[0])&&(r.transports=(r.transports||["polling","websocket","webtransport"]).map((function(t){return st[t]})).filter((function(t){return!!t}))),t.call(this,n,r)||this}return s(n,t),n}(lt);pt.protocol;var dt="function"==typeof ArrayBuffer,yt=function(t){return"function"==typeof ArrayBuffer.isView?ArrayBuffer.isView(t):t.buffer instanceof ArrayBuffer},bt=Object.prototype.toString,wt="function"==typeof Blob||"undefined"!=typeof Blob&&"[object BlobConstructor]"===bt.call(Blob),gt="function"==typeof File||"undefined"!=typeof File&&"[object FileConstructor]"===bt.call(File);function mt(t){return dt&&(t instanceof ArrayBuffer||yt(t))||wt&&t instanceof Blob||gt&&t instanceof File}function kt(t,n){if(!t||"object"!==c(t))return!1;if(Array.isArray(t)){for(var i=0,r=t.length;i<r;i++)if(kt(t[i]))return!0;return!1}if(mt(t))return!0;if(t.toJSON&&"function"==typeof t.toJSON&&1===arguments.length)return kt(t.toJSON(),!0);for(var e in t)if(Object.prototype.hasOwnProperty.call(t,e)&&kt(t[e]))return!0;return!1}function At(t){var n=[],i=t.data,r=t;return r.data=jt(i,n),r.attachments=n.length,{packet:r,buffers:n}}function jt(t,n){if(!t)return t;if(mt(t)){var i={_placeholder:!0,num:n.length};return n.push(t),i}if(Array.isArray(t)){for(var r=new Array(t.length),e=0;e<t.length;e++)r[e]=jt(t[e],n);return r}if("object"===c(t)&&!(t instanceof Date)){var o={};for(var s in t)Object.prototype.hasOwnProperty.call(t,s)&&(o[s]=jt(t[s],n));return o}return t}function Et(t,n){return t.data=Ot(t.data,n),delete t.attachments,t}function Ot(t,n){if(!t)return t;if(t&&!0===t._placeholder){if("number"==typeof t.num&&t.num>=0&&t.num<n.length)return n[t.num];throw new Error("illegal attachments")}if(Array.isArray(t))for(var i=0;i<t.length;i++)t[i]=Ot(t[i],n);else if("object"===c(t))for(var r in t)Object.prototype.hasOwnProperty.call(t,r)&&(t[r]=Ot(t[r],n));return t}var Bt,St=["connect","connect_error","disconnect","disconnecting","newListener","removeListener"];!function(t){t[t.CONNECT=0]="CONNECT",t[t.DISCONNECT=1]="DISCONNECT",t[t.EVENT=2]="EVENT",t[t.ACK=3]="ACK",t[t.CONNECT_ERROR=4]="CONNECT_ERROR",t[t.BINARY_EVENT=5]="BINARY_EVENT",t[t.BINARY_ACK=6]="BINARY_ACK"}(Bt||(Bt={}));var Nt=function(){function t(t){this.replacer=t}var n=t.prototype;return n.encode=function(t){return t.type!==Bt.EVENT&&t.type!==Bt.ACK||!kt(t)?[this.encodeAsString(t)]:this.encodeAsBinary({type:t.type===Bt.EVENT?Bt.BINARY_EVENT:Bt.BINARY_ACK,nsp:t.nsp,data:t.data,id:t.id})},n.encodeAsString=function(t){var n=""+t.type;return t.type!==Bt.BINARY_EVENT&&t.type!==Bt.BINARY_ACK||(n+=t.attachments+"-"),t.nsp&&"/"!==t.nsp&&(n+=t.nsp+","),null!=t.id&&(n+=t.id),null!=t.data&&(n+=JSON.stringify(t.data,this.replacer)),n},n.encodeAsBinary=function(t){var n=At(t),i=this.encodeAsString(n.packet),r=n.buffers;return r.unshift(i),r},t}(),Ct=function(t){function n(n){var i;return(i=t.call(this)||this).reviver=n,i}s(n,t);var i=n.prototype;return i.add=function(n){var i;if("string"==typeof n){if(this.reconstructor)throw new Error("got plaintext data when reconstructing a packet");var r=(i=this.decodeString(n)).type===Bt.BINARY_EVENT;r||i.type===Bt.BINARY_ACK?(i.type=r?Bt.EVENT:Bt.ACK,this.reconstructor=new Tt(i),0===i.attachments&&t.prototype.emitReserved.call(this,"decoded",i)):t.prototype.emitReserved.call(this,"decoded",i)}else{if(!mt(n)&&!n.base64)throw new Error("Unknown type: "+n);if(!this.reconstructor)throw new Error("got binary data when not reconstructing a packet");(i=this.reconstructor.takeBinaryData(n))&&(this.reconstructor=null,t.prototype.emitReserved.call(this,"decoded",i))}},i.decodeString=function(t){var i=0,r={type:Number(t.charAt(0))};if(void 0===Bt[r.type])throw new Error("unknown packet type "+r.type);if(r.type===Bt.BINARY_EVENT||r.type===Bt.BINARY_ACK){for(var e=i+1;"-"!==t.charAt(++i)&&i!=t.length;);var o=t.substring(e,i);if(o!=Number(o)||"-"!==t.charAt(i))throw new Error("Illegal attachments");r.attachments=Number(o)}if("/"===t.charAt(i+1)){for(var s=i+1;++i;){if(","===t.charAt(i))break;if(i===t.length)break}r.nsp=t.substring(s,i)}else r.nsp="/";var u=t.charAt(i+1);if(""!==u&&Number(u)==u){for(var h=i+1;++i;){var f=t.charAt(i);if(null==f||Number(f)!=f){--i;break}if(i===t.length)break}r.id=Number(t.substring(h,i+1))}if(t.charAt(++i)){var c=this.tryParse(t.substr(i));if(!n.isPayloadValid(r.type,c))throw new Error("invalid payload");r.data=c}return r},i.tryParse=function(t){try{return JSON.parse(t,this.reviver)}catch(t){return!1}},n.isPayloadValid=function(t,n){switch(t){case Bt.CONNECT:return Mt(n);case Bt.DISCONNECT:return void 0===n;case Bt.CONNECT_ERROR:return"string"==typeof n||Mt(n);case Bt.EVENT:case Bt.BINARY_EVENT:return Array.isArray(n)&&("number"==typeof n[0]||"string"==typeof n[0]&&-1===St.indexOf(n[0]));case Bt.ACK:case Bt.BINARY_ACK:return Array.isArray(n)}},i.destroy=function(){this.reconstructor&&(this.reconstructor.finishedReconstruction(),this.reconstructor=null)},n}(I),Tt=function(){function t(t){this.packet=t,this.buffers=[],this.reconPack=t}var n=t.prototype;return n.takeBinaryData=function(t){if(this.buffers.push(t),this.buffers.length===this.reconPack.attachments){var n=Et(this.reconPack,this.buffers);return this.finishedReconstruction(),n}return null},n.finishedReconstruction=function(){this.reconPack=null,this.buffers=[]},t}();var Ut=Number.isInteger||function(t){return"number"==typeof t&&isFinite(t)&&Math.floor(t)===t};function Mt(t){return"[object Object]"===Object.prototype.toString.call(t)}var xt=Object.freeze({__proto__:null,protocol:5,get PacketType(){return Bt},Encoder:Nt,Decoder:Ct,isPacketValid:function(t){return"string"==typeof t.nsp&&(void 0===(n=t.id)||Ut(n))&&function(t,n){switch(t){case Bt.CONNECT:return void 0===n||Mt(n);case Bt.DISCONNECT:return void 0===n;case Bt.EVENT:return Array.isArray(n)&&("number"==typeof n[0]||"string"==typeof n[0]&&-1===St.indexOf(n[0]));case Bt.ACK:return Array.isArray(n);case Bt.CONNECT_ERROR:return"string"==typeof n||Mt(n);default:return!1}}(t.type,t.data);var n}});function It(t,n,i){return t.on(n,i),function(){t.off(n,i)}}var Rt=Object.freeze({connect:1,connect_error:1,disconnect:1,disconnecting:1,newListener:1,removeListener:1}),Lt=function(t){function n(n,i,r){var o;return(o=t.call(this)||this).connected=!1,o.recovered=!1,o.receiveBuffer=[],o.sendBuffer=[],o.it=[],o.rt=0,o.ids=0,o.acks={},o.flags={},o.io=n,o.nsp=i,r&&r.auth&&(o.auth=r.auth),o.l=e({},r),o.io.et&&o.open(),o}s(n,t);var o=n.prototype;return o.subEvents=function(){if(!this.subs){var t=this.io;this.subs=[It(t,"open",this.onopen.bind(this)),It(t,"packet",this.onpacket.bind(this)),It(t,"error",this.onerror.bind(this)),It(t,"close",this.onclose.bind(this))]}},o.connect=function(){return this.connected||(this.subEvents(),this.io.ot||this.io.open(),"open"===this.io.st&&this.onopen()),this},o.open=function(){return this.connect()},o.send=function(){for(var t=arguments.length,n=new Array(t),i=0;i<t;i++)n[i]=arguments[i];return n.unshift("message"),this.emit.apply(this,n),this},o.emit=function(t){var n,i,r;if(Rt.hasOwnProperty(t))throw new Error('"'+t.toString()+'" is a reserved event name');for(var e=arguments.length,o=new Array(e>1?e-1:0),s=1;s<e;s++)o[s-1]=arguments[s];if(o.unshift(t),this.l.retries&&!this.flags.fromQueue&&!this.flags.volatile)return this.ut(o),this;var u={type:Bt.EVENT,data:o,options:{}};if(u.options.compress=!1!==this.flags.compress,"function"==typeof o[o.length-1]){var h=this.ids++,f=o.pop();this.ht(h,f),u.id=h}var c=null===(i=null===(n=this.io.engine)||void 0===n?void 0:n.transport)||void 0===i?void 0:i.writable,a=this.connected&&!(null===(r=this.io.engine)||void 0===r?void 0:r.W());return this.flags.volatile&&!c||(a?(this.notifyOutgoingListeners(u),this.packet(u)):this.sendBuffer.push(u)),this.flags={},this},o.ht=function(t,n){var i,r=this,e=null!==(i=this.flags.timeout)&&void 0!==i?i:this.l.ackTimeout;if(void 0!==e){var o=this.io.setTimeoutFn((function(){delete r.acks[t];for(var i=0;i<r.sendBuffer.length;i++)r.sendBuffer[i].id===t&&r.sendBuffer.splice(i,1);n.call(r,new Error("operation has timed out"))}),e),s=function(){r.io.clearTimeoutFn(o);for(var t=arguments.length,i=new Array(t),e=0;e<t;e++)i[e]=arguments[e];n.apply(r,i)};s.withError=!0,this.acks[t]=s}else this.acks[t]=n},o.emitWithAck=function(t){for(var n=this,i=arguments.length,r=new Array(i>1?i-1:0),e=1;e<i;e++)r[e-1]=arguments[e];return new Promise((function(i,e){var o=function(t,n){return t?e(t):i(n)};o.withError=!0,r.push(o),n.emit.apply(n,[t].concat(r))}))},o.ut=function(t){var n,i=this;"function"==typeof t[t.length-1]&&(n=t.pop());var r={id:this.rt++,tryCount:0,pending:!1,args:t,flags:e({fromQueue:!0},this.flags)};t.push((function(t){if(r===i.it[0]){if(null!==t)r.tryCount>i.l.retries&&(i.it.shift(),n&&n(t));else if(i.it.shift(),n){for(var e=arguments.length,o=new Array(e>1?e-1:0),s=1;s<e;s++)o[s-1]=arguments[s];n.apply(void 0,[null].concat(o))}return r.pending=!1,i.ft()}})),this.it.push(r),this.ft()},o.ft=function(){var t=arguments.length>0&&void 0!==arguments[0]&&arguments[0];if(this.connected&&0!==this.it.length){var n=this.it[0];n.pending&&!t||(n.pending=!0,n.tryCount++,this.flags=n.flags,this.emit.apply(this,n.args))}},o.packet=function(t){t.nsp=this.nsp,this.io.ct(t)},o.onopen=function(){var t=this;"function"==typeof this.auth?this.auth((function(n){t.vt(n)})):this.vt(this.auth)},o.vt=function(t){this.packet({type:Bt.CONNECT,data:this.lt?e({pid:this.lt,offset:this.dt},t):t})},o.onerror=function(t){this.connected||this.emitReserved("connect_error",t)},o.onclose=function(t,n){this.connected=!1,delete this.id,this.emitReserved("disconnect",t,n),this.yt()},o.yt=function(){var t=this;Object.keys(this.acks).forEach((function(n){if(!t.sendBuffer.some((function(t){return String(t.id)===n}))){var i=t.acks[n];delete t.acks[n],i.withError&&i.call(t,new Error("socket has been disconnected"))}}))},o.onpacket=function(t){if(t.nsp===this.nsp)switch(t.type){case Bt.CONNECT:t.data&&t.data.sid?this.onconnect(t.data.sid,t.data.pid):this.emitReserved("connect_error",new Error("It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"));break;case Bt.EVENT:case Bt.BINARY_EVENT:this.onevent(t);break;case Bt.ACK:case Bt.BINARY_ACK:this.onack(t);break;case Bt.DISCONNECT:this.ondisconnect();break;case Bt.CONNECT_ERROR:this.destroy();var n=new Error(t.data.message);n.data=t.data.data,this.emitReserved("connect_error",n)}},o.onevent=function(t){var n=t.data||[];null!=t.id&&n.push(this.ack(t.id)),this.connected?this.emitEvent(n):this.receiveBuffer.push(Object.freeze(n))},o.emitEvent=function(n){if(this.bt&&this.bt.length){var i,e=r(this.bt.slice());try{for(e.s();!(i=e.n()).done;){i.value.apply(this,n)}}catch(t){e.e(t)}finally{e.f()}}t.prototype.emit.apply(this,n),this.lt&&n.length&&"string"==typeof n[n.length-1]&&(this.dt=n[n.length-1])},o.ack=function(t){var n=this,i=!1;return function(){if(!i){i=!0;for(var r=arguments.length,e=new Array(r),o=0;o<r;o++)e[o]=arguments[o];n.packet({type:Bt.ACK,id:t,data:e})}}},o.onack=function(t){var n=this.acks[t.id];"function"==typeof n&&(delete this.acks[t.id],n.withError&&t.data.unshift(null),n.apply(this,t.data))},o.onconnect=function(t,n){this.id=t,this.recovered=n&&this.lt===n,this.lt=n,this.connected=!0,this.emitBuffered(),this.emitReserved("connect"),this.ft(!0)},o.emitBuffered=function(){var t=this;this.receiveBuffer.forEach((function(n){return t.emitEvent(n)})),this.receiveBuffer=[],this.sendBuffer.forEach((function(n){t.notifyOutgoingListeners(n),t.packet(n)})),this.sendBuffer=[]},o.ondisconnect=function(){this.destroy(),this.onclose("io server disconnect")},o.destroy=function(){this.subs&&(this.subs.forEach((function(t){return t()})),this.subs=void 0),this.io.wt(this)},o.disconnect=function(){return this.connected&&this.packet({type:Bt.DISCONNECT}),this.destroy(),this.connected&&this.onclose("io client disconnect"),this},o.close=function(){return this.disconnect()},o.compress=function(t){return this.flags.compress=t,this},o.timeout=function(t){return this.flags.timeout=t,this},o.onAny=function(t){return this.bt=this.bt||[],this.bt.push(t),this},o.prependAny=function(t){return this.bt=this.bt||[],this.bt.unshift(t),this},o.offAny=function(t){if(!this.bt)return this;if(t){for(var n=this.bt,i=0;i<n.length;i++)if(t===n[i])return n.splice(i,1),this}else this.bt=[];return this},o.listenersAny=function(){return this.bt||[]},o.onAnyOutgoing=function(t){return this.gt=this.gt||[],this.gt.push(t),this},o.prependAnyOutgoing=function(t){return this.gt=this.gt||[],this.gt.unshift(t),this},o.offAnyOutgoing=function(t){if(!this.gt)return this;if(t){for(var n=this.gt,i=0;i<n.length;i++)if(t===n[i])return n.splice(i,1),this}else this.gt=[];return this},o.listenersAnyOutgoing=function(){return this.gt||[]},o.notifyOutgoingListeners=function(t){if(this.gt&&this.gt.length){var n,i=r(this.gt.slice());try{for(i.s();!(n=i.n()).done;){n.value.apply(this,t.data)}}catch(t){i.e(t)}finally{i.f()}}},i(n,[{key:"disconnected",get:function(){return!this.connected}},{key:"active",get:function(){return!!this.subs}},{key:"volatile",get:function(){return this.flags.volatile=!0,this}}])}(I);function _t(t){t=t||{},this.ms=t.min||100,this.max=t.max||1e4,this.factor=t.factor||2,this.jitter=t.jitter>0&&t.jitter<=1?t.jitter:0,this.attempts=0}_t.prototype.duration=function(){var t=this.ms*Math.pow(this.factor,this.attempts++);if(this.jitter){var n=Math.random(),i=Math.floor(n*this.jitter*t);t=1&Math.floor(10*n)?t+i:t-i}return 0|Math.min(t,this.max)},_t.prototype.reset=function(){this.attempts=0},_t.prototype.setMin=function(t){this.ms=t},_t.prototype.setMax=function(t){this.max=t},_t.prototype.setJitter=function(t){this.jitter=t};var Dt=function(t){function n(n,i){var r,e;(r=t.call(this)||this).nsps={},r.subs=[],n&&"object"===c(n)&&(i=n,n=void 0),(i=i||{}).path=i.path||"/socket.io",r.opts=i,$(r,i),r.reconnection(!1!==i.reconnection),r.reconnectionAttempts(i.reconnectionAttempts||1/0),r.reconnectionDelay(i.reconnectionDelay||1e3),r.reconnectionDelayMax(i.reconnectionDelayMax||5e3),r.randomizationFactor(null!==(e=i.randomizationFactor)&&void 0!==e?e:.5),r.backoff=new _t({min:r.reconnectionDelay(),max:r.reconnectionDelayMax(),jitter:r.randomizationFactor()}),r.timeout(null==i.timeout?2e4:i.timeout),r.st="closed",r.uri=n;var o=i.parser||xt;return r.encoder=new o.Encoder,r.decoder=new o.Decoder,r.et=!1!==i.autoConnect,r.et&&r.open(),r}s(n,t);var i=n.prototype;return i.reconnection=function(t){return arguments.length?(this.kt=!!t,t||(this.skipReconnect=!0),this):this.kt},i.reconnectionAttempts=function(t){return void 0===t?this.At:(this.At=t,this)},i.reconnectionDelay=function(t){var n;return void 0===t?this.jt:(this.jt=t,null===(n=this.backoff)||void 0===n||n.setMin(t),this)},i.randomizationFactor=function(t){var n;return void 0===t?this.Et:(this.Et=t,null===(n=this.backoff)||void 0===n||n.setJitter(t),this)},i.reconnectionDelayMax=function(t){var n;return void 0===t?this.Ot:(this.Ot=t,null===(n=this.backoff)||void 0===n||n.setMax(t),this)},i.timeout=function(t){return arguments.length?(this.Bt=t,this):this.Bt},i.maybeReconnectOnOpen=function(){!this.ot&&this.kt&&0===this.backoff.attempts&&this.reconnect()},i.open=function(t){var n=this;if(~this.st.indexOf("open"))return this;this.engine=new pt(this.uri,this.opts);var i=this.engine,r=this;this.st="opening",this.skipReconnect=!1;var e=It(i,"open",(function(){r.onopen(),t&&t()})),o=function(i){n.cleanup(),n.st="closed",n.emitReserved("error",i),t?t(i):n.maybeReconnectOnOpen()},s=It(i,"error",o);if(!1!==this.Bt){var u=this.Bt,h=this.setTimeoutFn((function(){e(),o(new Error("timeout")),i.close()}),u);this.opts.autoUnref&&h.unref(),this.subs.push((function(){n.clearTimeoutFn(h)}))}return this.subs.push(e),this.subs.push(s),this},i.connect=function(t){return this.open(t)},i.onopen=function(){this.cleanup(),this.st="open",this.emitReserved("open");var t=this.engine;this.subs.push(It(t,"ping",this.onping.bind(this)),It(t,"data",this.ondata.bind(this)),It(t,"error",this.onerror.bind(this)),It(t,"close",this.onclose.bind(this)),It(this.decoder,"decoded",this.ondecoded.bind(this)))},i.onping=function(){this.emitReserved("ping")},i.ondata=function(t){try{this.decoder.add(t)}catch(t){this.onclose("parse error",t)}},i.ondecoded=function(t){var n=this;R((function(){n.emitReserved("packet",t)}),this.setTimeoutFn)},i.onerror=function(t){this.emitReserved("error",t)},i.socket=function(t,n){var i=this.nsps[t];return i?this.et&&!i.active&&i.connect():(i=new Lt(this,t,n),this.nsps[t]=i),i},i.wt=function(t){for(var n=0,i=Object.keys(this.nsps);n<i.length;n++){var r=i[n];if(this.nsps[r].active)return}this.St()},i.ct=function(t){for(var n=this.encoder.encode(t),i=0;i<n.length;i++)this.engine.write(n[i],t.options)},i.cleanup=function(){this.subs.forEach((function(t){return t()})),this.subs.length=0,this.decoder.destroy()},i.St=function(){this.skipReconnect=!0,this.ot=!1,this.onclose("forced close")},i.disconnect=function(){return this.St()},i.onclose=function(t,n){var i;this.cleanup(),null===(i=this.engine)||void 0===i||i.close(),this.backoff.reset(),this.st="closed",this.emitReserved("close",t,n),this.kt&&!this.skipReconnect&&this.reconnect()},i.reconnect=function(){var t=this;if(this.ot||this.skipReconnect)return this;var n=this;if(this.backoff.attempts>=this.At)this.backoff.reset(),this.emitReserved("reconnect_failed"),this.ot=!1;else{var i=this.backoff.duration();this.ot=!0;var r=this.setTimeoutFn((function(){n.skipReconnect||(t.emitReserved("reconnect_attempt",n.backoff.attempts),n.skipReconnect||n.open((function(i){i?(n.ot=!1,n.reconnect(),t.emitReserved("reconnect_error",i)):n.onreconnect()})))}),i);this.opts.autoUnref&&r.unref(),this.subs.push((function(){t.clearTimeoutFn(r)}))}},i.onreconnect=function(){var t=this.backoff.attempts;this.ot=!1,this.backoff.reset(),this.emitReserved("reconnect",t)},n}(I),Pt={};function $t(t,n){"object"===c(t)&&(n=t,t=void 0);var i,r=function(t){var n=arguments.length>1&&void 0!==arguments[1]?arguments[1]:"",i=arguments.length>2?arguments[2]:void 0,r=t;i=i||"undefined"!=typeof location&&location,null==t&&(t=i.protocol+"//"+i.host),"string"==typeof t&&("/"===t.charAt(0)&&(t="/"===t.charAt(1)?i.protocol+t:i.host+t),/^(https?|wss?):\/\//.test(t)||(t=void 0!==i?i.protocol+"//"+t:"https://"+t),r=ft(t)),r.port||(/^(http|ws)$/.test(r.protocol)?r.port="80":/^(http|ws)s$/.test(r.protocol)&&(r.port="443")),r.path=r.path||"/";var e=-1!==r.host.indexOf(":")?"["+r.host+"]":r.host;return r.id=r.protocol+"://"+e+":"+r.port+n,r.href=r.protocol+"://"+e+(i&&i.port===r.port?"":":"+r.port),r}(t,(n=n||{}).path||"/socket.io"),e=r.source,o=r.id,s=r.path,u=Pt[o]&&s in Pt[o].nsps;return n.forceNew||n["force new connection"]||!1===n.multiplex||u?i=new Dt(e,n):(Pt[o]||(Pt[o]=new Dt(e,n)),i=Pt[o]),r.query&&!n.query&&(n.query=r.queryKey),i.socket(r.path,n)}return e($t,{Manager:Dt,Socket:Lt,io:$t,connect:$t}),$t}));


return module.exports; })();
var VERSION = "1.0.0";
var SCRIPT_ORIGIN = (function () { try { var s = document.currentScript; return s && s.src ? new URL(s.src).origin : null; } catch (e) { return null; } })();
var CSS = "/* The widget's styles, scoped under .sc-root and embedded in the bundle by build.mjs.\n * Colours are custom properties so init({colors}) can rebrand; the defaults meet WCAG AA\n * contrast (4.5:1 or better for text). */\n.sc-root {\n  --sc-primary: #1a56b8; --sc-on-primary: #ffffff; --sc-bg: #ffffff; --sc-text: #1b1f24;\n  --sc-muted: #555e69; --sc-bot: #eef1f5; --sc-agent: #e6f4ea; --sc-agent-edge: #1e7b43;\n  --sc-system: #fff6dc; --sc-system-text: #5c4300; --sc-error: #a8071a; --sc-focus: #ffbf47;\n  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;\n  font: 15px/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: var(--sc-text);\n}\n.sc-root *, .sc-root *::before, .sc-root *::after { box-sizing: border-box; }\n.sc-root button, .sc-root textarea { font: inherit; }\n/* Yellow ring with a dark edge: visible on the light panel and on the coloured header alike. */\n.sc-root :focus-visible { outline: 3px solid var(--sc-focus); outline-offset: 1px; box-shadow: 0 0 0 1px #1b1f24; }\n.sc-vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }\n.sc-launcher {\n  position: relative; float: right; display: flex; align-items: center; gap: 8px; min-height: 48px;\n  padding: 10px 18px; border: 0; border-radius: 24px; cursor: pointer;\n  background: var(--sc-primary); color: var(--sc-on-primary); box-shadow: 0 4px 14px rgba(0,0,0,.25);\n}\n.sc-launcher-icon { width: 20px; height: 16px; border-radius: 8px 8px 8px 2px; background: currentColor; }\n.sc-badge {\n  position: absolute; top: -6px; right: -6px; min-width: 22px; height: 22px; padding: 0 6px;\n  border-radius: 11px; background: var(--sc-error); color: #fff; font-size: 12px; font-weight: 700;\n  line-height: 22px; text-align: center;\n}\n.sc-badge[hidden] { display: none; }\n.sc-panel {\n  display: flex; flex-direction: column; width: 370px; height: min(600px, calc(100vh - 110px));\n  margin-bottom: 12px; border-radius: 14px; overflow: hidden; background: var(--sc-bg);\n  box-shadow: 0 10px 40px rgba(0,0,0,.28);\n}\n.sc-panel[hidden] { display: none; }\n.sc-header { display: flex; align-items: flex-start; gap: 8px; padding: 12px 14px; background: var(--sc-primary); color: var(--sc-on-primary); }\n.sc-titles { flex: 1; min-width: 0; }\n.sc-title { margin: 0; font-size: 17px; }\n.sc-subtitle { margin: 2px 0 0; font-size: 13px; }\n.sc-conn { margin: 2px 0 0; font-size: 12px; white-space: nowrap; }\n.sc-conn::before { content: \"\"; display: inline-block; width: 8px; height: 8px; margin-right: 5px; border-radius: 50%; background: #ffd24d; }\n.sc-root[data-conn=\"online\"] .sc-conn::before { background: #5ee08f; }\n.sc-root[data-conn=\"offline\"] .sc-conn::before { background: #ff8a8a; }\n.sc-close { border: 0; background: transparent; color: inherit; font-size: 24px; line-height: 1; width: 36px; height: 36px; cursor: pointer; border-radius: 6px; }\n.sc-banner { margin: 0; padding: 8px 14px; background: var(--sc-system); color: var(--sc-system-text); font-size: 14px; }\n.sc-banner[hidden], .sc-typing[hidden], .sc-quick[hidden], .sc-rating[hidden], .sc-alert[hidden] { display: none; }\n.sc-log { flex: 1; margin: 0; padding: 12px; list-style: none; overflow-y: auto; display: flex; flex-direction: column; gap: 10px; }\n.sc-msg { max-width: 85%; display: flex; flex-direction: column; }\n.sc-who { font-size: 12px; color: var(--sc-muted); margin-bottom: 2px; }\n.sc-from-bot .sc-who, .sc-from-customer .sc-who { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }\n.sc-bubble { padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }\n.sc-bubble a { color: inherit; text-decoration: underline; }\n.sc-from-customer { align-self: flex-end; align-items: flex-end; }\n.sc-from-customer .sc-bubble { background: var(--sc-primary); color: var(--sc-on-primary); border-bottom-right-radius: 4px; }\n.sc-from-bot { align-self: flex-start; }\n.sc-from-bot .sc-bubble { background: var(--sc-bot); border-bottom-left-radius: 4px; }\n.sc-from-agent { align-self: flex-start; }\n.sc-from-agent .sc-who { color: var(--sc-agent-edge); font-weight: 600; }\n.sc-from-agent .sc-bubble { background: var(--sc-agent); border-left: 4px solid var(--sc-agent-edge); }\n.sc-from-system { align-self: center; max-width: 95%; text-align: center; }\n.sc-from-system .sc-who { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }\n.sc-from-system .sc-bubble { background: var(--sc-system); color: var(--sc-system-text); font-size: 14px; }\n.sc-offer .sc-bubble { border: 2px solid var(--sc-primary); }\n.sc-image { max-width: 100%; border-radius: 10px; margin-top: 4px; }\n.sc-meta { margin: 2px 4px 0; font-size: 11px; color: var(--sc-muted); display: flex; gap: 6px; flex-wrap: wrap; }\n.sc-from-customer .sc-meta { justify-content: flex-end; }\n.sc-pending .sc-bubble { opacity: .75; }\n.sc-failed .sc-bubble { outline: 2px solid var(--sc-error); opacity: 1; }\n.sc-failed .sc-state { color: var(--sc-error); }\n.sc-link { border: 0; background: none; padding: 0; color: var(--sc-primary); text-decoration: underline; cursor: pointer; font-size: 11px; }\n.sc-join {\n  align-self: stretch; display: flex; align-items: center; justify-content: center; gap: 8px;\n  padding: 8px; border-top: 1px solid var(--sc-agent-edge); border-bottom: 1px solid var(--sc-agent-edge);\n  color: var(--sc-agent-edge); font-weight: 600; animation: sc-pop .5s ease-out;\n}\n.sc-avatar { width: 28px; height: 28px; border-radius: 50%; background: var(--sc-agent-edge); color: #fff; display: grid; place-items: center; }\n@keyframes sc-pop { from { transform: scale(.9); opacity: 0; } to { transform: none; opacity: 1; } }\n.sc-typing { margin: 0 14px 6px; font-size: 13px; color: var(--sc-muted); font-style: italic; }\n.sc-quick { display: flex; flex-wrap: wrap; gap: 6px; padding: 0 12px 8px; }\n.sc-chip, .sc-star {\n  min-height: 36px; padding: 6px 12px; border: 2px solid var(--sc-primary); border-radius: 18px;\n  background: var(--sc-bg); color: var(--sc-primary); cursor: pointer; font-weight: 600;\n}\n.sc-chip:hover, .sc-star:hover { background: var(--sc-primary); color: var(--sc-on-primary); }\n.sc-rating { padding: 8px 12px; border-top: 1px solid #d5dae1; }\n.sc-rating p { margin: 0 0 6px; }\n.sc-stars { display: flex; gap: 6px; }\n.sc-star { min-width: 44px; }\n.sc-rate-form { display: flex; gap: 6px; }\n.sc-alert { margin: 0; padding: 6px 14px; color: var(--sc-error); font-size: 13px; }\n.sc-notice { margin: 0; padding: 8px 14px; background: var(--sc-bot); color: var(--sc-text); font-size: 13px; }\n.sc-notice[hidden] { display: none; }\n.sc-footer { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; padding: 0 12px 8px; font-size: 12px; color: var(--sc-muted); }\n.sc-footer .sc-link { font-size: 12px; color: var(--sc-muted); }\n.sc-footer .sc-forget-yes { color: var(--sc-error); }\n.sc-composer { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #d5dae1; }\n.sc-input { flex: 1; min-height: 40px; max-height: 120px; padding: 8px 10px; border: 1px solid #7d8691; border-radius: 10px; resize: none; color: var(--sc-text); background: var(--sc-bg); }\n.sc-send { padding: 0 16px; border: 0; border-radius: 10px; background: var(--sc-primary); color: var(--sc-on-primary); cursor: pointer; font-weight: 600; }\n@media (max-width: 480px) {\n  .sc-root { right: 10px; bottom: 10px; left: 10px; }\n  .sc-root.sc-is-open { inset: 0; }\n  .sc-is-open .sc-panel { width: 100%; height: 100%; margin: 0; border-radius: 0; }\n  .sc-is-open .sc-launcher { display: none; }\n}\n@media (prefers-reduced-motion: reduce) { .sc-join { animation: none; } }\n";
/* ---- src/protocol.js ---- */
/* protocol.js: the one place that knows the gateway's wire format.
 * Rasa's socket.io channel (session_request / session_confirm / user_uttered / bot_uttered)
 * plus the gateway's documented extras (message ids, seq, sender, typing, handoff_status,
 * resync, message_ack). Everything else in the widget sees only the normalised records
 * built here, so aligning with a protocol change touches this file alone. */
var Protocol = (function () {
  var EVENTS = {
    sessionRequest: "session_request",
    sessionConfirm: "session_confirm",
    sessionRefused: "session_refused",
    sessionRotated: "session_rotated",
    sessionEnded: "session_ended",
    endSession: "end_session",
    userUttered: "user_uttered",
    botUttered: "bot_uttered",
    userMessage: "user_message",
    ack: "message_ack",
    typing: "typing",
    status: "handoff_status",
    resync: "resync",
    error: "handoff_error",
    rating: "rating",
    ratingRequest: "rating_request",
    receipt: "message_receipt"
  };
  var ROLES = ["customer", "bot", "agent", "system"];

  function toMillis(ts) {
    // The gateway sends seconds (float); tolerate milliseconds and missing values.
    if (typeof ts !== "number" || !isFinite(ts)) return Date.now();
    return ts < 1e12 ? Math.round(ts * 1000) : ts;
  }

  function quickReplies(list) {
    if (!Array.isArray(list)) return [];
    var out = [];
    for (var i = 0; i < list.length && out.length < 12; i++) {
      var q = list[i] || {};
      var title = typeof q.title === "string" ? q.title : "";
      var payload = typeof q.payload === "string" ? q.payload : title;
      if (title) out.push({ title: title, payload: payload });
    }
    return out;
  }

  function imageOf(attachment) {
    // Rasa's send_image_url: {type: "image", payload: {src}}.
    if (!attachment || attachment.type !== "image" || !attachment.payload) return null;
    var src = attachment.payload.src;
    return typeof src === "string" ? src : null;
  }

  function role(value, fallback) {
    return ROLES.indexOf(value) >= 0 ? value : fallback;
  }

  function seqOf(value) {
    return typeof value === "number" && value > 0 && Math.floor(value) === value ? value : null;
  }

  /** A live `bot_uttered` (stock Rasa or gateway) as a record. The gateway's extras may sit
   *  at the top level or under `metadata` (where stock rasa-webchat tolerates them). */
  function fromBotUttered(body) {
    body = body && typeof body === "object" ? body : { text: String(body) };
    var meta = body.metadata && typeof body.metadata === "object" ? body.metadata : {};
    var extra = function (key) { return body[key] !== undefined ? body[key] : meta[key]; };
    var sender = extra("sender") || {};
    return {
      id: typeof extra("message_id") === "string" ? extra("message_id") : null,
      seq: seqOf(extra("seq")),
      role: role(sender.role, "bot"),
      name: typeof sender.name === "string" ? sender.name : null,
      text: typeof body.text === "string" ? body.text : "",
      quickReplies: quickReplies(body.quick_replies || body.buttons),
      image: imageOf(body.attachment),
      clientId: null,
      ts: toMillis(extra("timestamp"))
    };
  }

  /** A stored message (resync, another tab's `user_message`) as a record. */
  function fromStored(m) {
    var payload = (m && m.payload) || {};
    return {
      id: typeof m.id === "string" ? m.id : null,
      seq: seqOf(m.seq),
      role: role(m.role, "bot"),
      name: typeof m.sender_name === "string" ? m.sender_name : null,
      text: typeof m.text === "string" ? m.text : "",
      quickReplies: quickReplies(payload.quick_replies || payload.buttons),
      image: imageOf(payload.attachment),
      clientId: typeof m.client_id === "string" ? m.client_id : null,
      ts: toMillis(m.created_at)
    };
  }

  /** `handoff_status` as {state, agentName, position, waitSeconds, ratingStage, followUp}. */
  function status(body) {
    body = body || {};
    return {
      state: typeof body.state === "string" ? body.state : "bot",
      agentName: typeof body.agent_name === "string" ? body.agent_name : null,
      position: typeof body.position === "number" ? body.position : null,
      waitSeconds: typeof body.estimated_wait_seconds === "number" ? body.estimated_wait_seconds : null,
      ratingStage: typeof body.rating_stage === "string" ? body.rating_stage : null,
      followUp: !!body.follow_up
    };
  }

  function typing(body) {
    body = body || {};
    return { role: role(body.role, "bot"), name: body.name || null, on: !!body.typing };
  }

  function sessionRequest(sessionId, lastSeq, identity) {
    // Stock Rasa reads session_id; the gateway also replays what came after last_seq, and
    // checks a signed identity from the shop's server (docs/widget.md, "Signed-in customers").
    var body = { session_id: sessionId || null, last_seq: lastSeq || 0 };
    if (identity) body.identity = identityBody(identity);
    return body;
  }

  function identityBody(identity) {
    return { customer_id: String(identity.customerId), hmac: String(identity.hmac) };
  }

  function userUttered(item, sessionId, metadata) {
    return {
      message: item.payload || item.text,
      session_id: sessionId,
      message_id: item.clientId,
      metadata: metadata
    };
  }

  function resyncBody(body) {
    body = body || {};
    var list = Array.isArray(body.messages) ? body.messages : [];
    return { messages: list.map(fromStored), lastSeq: seqOf(body.last_seq) || 0 };
  }

  function errorMessage(body) {
    var e = (body && body.error) || {};
    return {
      code: typeof e.code === "string" ? e.code : "error",
      message: typeof e.message === "string" ? e.message : "The server refused that.",
      clientId: body && typeof body.client_id === "string" ? body.client_id : null,
      // rate_limited: whole seconds until the gateway takes it again.
      retryAfter: typeof e.retry_after === "number" && e.retry_after > 0 ? Math.min(e.retry_after, 3600) : null
    };
  }

  /** `session_refused`: why the stored id did not open its conversation. */
  function refusal(body) {
    body = body || {};
    return {
      reason: typeof body.reason === "string" ? body.reason : "unknown_session",
      message: typeof body.message === "string" ? body.message : ""
    };
  }

  return {
    EVENTS: EVENTS,
    fromBotUttered: fromBotUttered,
    fromStored: fromStored,
    status: status,
    typing: typing,
    sessionRequest: sessionRequest,
    identityBody: identityBody,
    userUttered: userUttered,
    resync: resyncBody,
    error: errorMessage,
    refusal: refusal
  };
})();

/* ---- src/storage.js ---- */
/* storage.js: what survives a reload or another tab. The session id the server issued, a
 * small cache of the conversation's last messages (`cacheMessages`, 30 by default, 0 for none:
 * it is only for an instant first paint, the server stays the source of truth through
 * resync), the outbox of unsent messages and small UI state. The backing store is injectable
 * ({getItem, setItem, removeItem}, localStorage by default); when it is missing or throws
 * (private mode, quota) the widget keeps working from memory. */
var SessionStore = (function () {

  function memoryStorage() {
    var data = {};
    return {
      getItem: function (k) { return Object.prototype.hasOwnProperty.call(data, k) ? data[k] : null; },
      setItem: function (k, v) { data[k] = String(v); },
      removeItem: function (k) { delete data[k]; }
    };
  }

  function defaultStorage() {
    try {
      var probe = "__store_chat_probe__";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return memoryStorage();
    }
  }

  function create(backing, key, log, cacheMessages) {
    var storage = backing || defaultStorage();
    var keep = Math.max(0, Math.floor(cacheMessages));
    var fallback = memoryStorage();

    function read() {
      var raw = null;
      try { raw = storage.getItem(key); } catch (e) { raw = fallback.getItem(key); }
      if (!raw) return empty();
      try {
        var state = JSON.parse(raw);
        return state && typeof state === "object" ? normalise(state) : empty();
      } catch (e) {
        log("stored chat state was unreadable; starting fresh", e);
        return empty();
      }
    }

    function write(state) {
      // A copy: the page keeps the whole conversation, the storage only its last few messages.
      var saved = {};
      for (var k in state) saved[k] = state[k];
      saved.messages = keep ? state.messages.slice(-keep) : [];
      var raw = JSON.stringify(saved);
      try {
        storage.setItem(key, raw);
      } catch (e) {
        // Quota or a locked-down browser: keep the state for this page's life at least.
        log("could not persist chat state; keeping it in memory", e);
        storage = fallback;
        fallback.setItem(key, raw);
      }
    }

    function clear() {
      try { storage.removeItem(key); } catch (e) { /* nothing stored there */ }
      fallback.removeItem(key);
    }

    return { read: read, write: write, clear: clear, key: key };
  }

  function empty() {
    return { sessionId: null, rotatedFrom: null, messages: [], outbox: [], readSeq: 0, open: false, offers: {}, signals: [] };
  }

  function normalise(s) {
    var e = empty();
    return {
      sessionId: typeof s.sessionId === "string" ? s.sessionId : null,
      // The id the current one replaced (rotation), so another tab still holding it knows
      // it is the same conversation.
      rotatedFrom: typeof s.rotatedFrom === "string" ? s.rotatedFrom : null,
      messages: Array.isArray(s.messages) ? s.messages : e.messages,
      outbox: Array.isArray(s.outbox) ? s.outbox : e.outbox,
      readSeq: typeof s.readSeq === "number" ? s.readSeq : 0,
      open: !!s.open,
      offers: s.offers && typeof s.offers === "object" ? s.offers : {},
      signals: Array.isArray(s.signals) ? s.signals : []
    };
  }

  return { create: create, empty: empty, memoryStorage: memoryStorage };
})();

/* ---- src/transcript.js ---- */
/* transcript.js: the conversation as the customer sees it, free of duplicates.
 * Server messages are keyed by seq (and id); a customer message the server acknowledged
 * replaces its outbox entry by client id. Local items (the "person joined" moment, a
 * proactive offer, messages from a stock server without seq) are anchored after the last
 * seq seen when they appeared, so a later resync slots missed messages in before them. */
var Transcript = (function () {
  function sortKey(m) {
    return m.seq != null ? m.seq : (m.anchor || 0) + 0.5;
  }

  function create(state) {
    // `state` is the persisted object from SessionStore; we mutate it in place.
    function lastSeq() {
      var max = 0;
      for (var i = 0; i < state.messages.length; i++) {
        var s = state.messages[i].seq;
        if (s != null && s > max) max = s;
      }
      return max;
    }

    /** Where a resync must start so nothing is missing: the highest seq up to which every
     *  message is here (after a reload from a trimmed cache: 0, the whole conversation). */
    function resumeSeq() {
      var seen = {};
      for (var i = 0; i < state.messages.length; i++) {
        var s = state.messages[i].seq;
        if (s != null) seen[s] = true;
      }
      var n = 0;
      while (seen[n + 1]) n++;
      return n;
    }

    function has(record) {
      for (var i = 0; i < state.messages.length; i++) {
        var m = state.messages[i];
        if (record.seq != null && m.seq === record.seq) return true;
        if (record.id && m.id === record.id) return true;
        if (record.key && m.key === record.key) return true;
      }
      return false;
    }

    function confirmOutbox(clientId) {
      if (!clientId) return null;
      for (var i = 0; i < state.outbox.length; i++) {
        if (state.outbox[i].clientId === clientId) return state.outbox.splice(i, 1)[0];
      }
      return null;
    }

    /** Add a record; returns false when it was already there (a replay or another tab). */
    function add(record) {
      var queued = record.role === "customer" ? confirmOutbox(record.clientId) : null;
      if (queued && queued.text) record.display = queued.text;
      if (has(record)) return false;
      if (record.seq == null) record.anchor = lastSeq();
      if (!record.key) record.key = record.id || (record.seq != null ? "s" + record.seq : "l" + Date.now() + Math.random());
      var k = sortKey(record), i = state.messages.length;
      while (i > 0 && sortKey(state.messages[i - 1]) > k) i--;
      state.messages.splice(i, 0, record);
      return true;
    }

    function enqueue(text, payload) {
      var item = {
        clientId: "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10),
        text: text,
        payload: payload || null,
        ts: Date.now(),
        error: null
      };
      state.outbox.push(item);
      return item;
    }

    /** Quick-reply payloads the bot offered, so "/request_human" reads as its title. */
    function titleFor(payload) {
      for (var i = state.messages.length - 1; i >= 0; i--) {
        var qr = state.messages[i].quickReplies || [];
        for (var j = 0; j < qr.length; j++) if (qr[j].payload === payload) return qr[j].title;
      }
      return null;
    }

    function unread() {
      var n = 0;
      for (var i = 0; i < state.messages.length; i++) {
        var m = state.messages[i];
        if (m.role !== "customer" && m.kind !== "join" && sortKey(m) > state.readSeq) n++;
      }
      return n;
    }

    function markRead() {
      var last = state.messages.length ? sortKey(state.messages[state.messages.length - 1]) : 0;
      state.readSeq = Math.max(state.readSeq, last);
    }

    function reset() {
      state.messages = [];
      state.readSeq = 0;
    }

    return {
      add: add,
      enqueue: enqueue,
      confirmOutbox: confirmOutbox,
      lastSeq: lastSeq,
      resumeSeq: resumeSeq,
      titleFor: titleFor,
      unread: unread,
      markRead: markRead,
      reset: reset,
      messages: function () { return state.messages; },
      outbox: function () { return state.outbox; }
    };
  }

  return { create: create };
})();

/* ---- src/text.js ---- */
/* text.js: message text into DOM nodes, never through innerHTML. Bare http(s) URLs and
 * markdown-style [label](url) links become anchors; anything else (javascript:, data:,
 * markup) stays literal text. */
var SafeText = (function () {
  var LINK = /\[([^\]\n]{1,200})\]\((\S{1,2000}?)\)|(\bhttps?:\/\/[^\s<>"']{1,2000})/gi;
  var TRAILING = /[.,;:!?)\]'"]+$/;

  function safeUrl(raw) {
    try {
      var url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function anchor(doc, href, label) {
    var a = doc.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    a.textContent = label;
    return a;
  }

  /** Append `text` to `el` as text nodes and safe links. */
  function render(el, text) {
    var doc = el.ownerDocument, last = 0, m;
    text = String(text == null ? "" : text);
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text))) {
      var whole = m[0], href, label, tail = "";
      if (m[3]) {
        tail = (whole.match(TRAILING) || [""])[0];
        whole = whole.slice(0, whole.length - tail.length);
        href = safeUrl(whole);
        label = whole;
      } else {
        href = safeUrl(m[2]);
        label = m[1];
      }
      if (!href) continue; // not a safe link: left in the text as typed
      el.appendChild(doc.createTextNode(text.slice(last, m.index)));
      el.appendChild(anchor(doc, href, label));
      last = m.index + whole.length;
      LINK.lastIndex = last + tail.length;
      if (tail) { el.appendChild(doc.createTextNode(tail)); last += tail.length; }
    }
    el.appendChild(doc.createTextNode(text.slice(last)));
  }

  return { render: render, safeUrl: safeUrl };
})();

/* ---- src/connection.js ---- */
/* connection.js: one socket to the gateway, kept alive. It reconnects with exponential
 * backoff and jitter (its own schedule, so the widget can show "retrying in 4 s"), re-sends
 * session_request with the stored id and last seen seq on every (re)connect, and drains the
 * outbox one message at a time, each waiting for the server's ack, so order holds. A
 * `rate_limited` answer keeps the message (or the session request) and tries again after the
 * server's `retry_after`. */
var Connection = (function () {
  var E = Protocol.EVENTS;

  function create(opts) {
    // opts: {io, url, path, transports, backoff: {baseMs, maxMs}, ackTimeoutMs,
    //        session(): {id, lastSeq}, outbox(): item[], metadata(item), on: {...callbacks}}
    var on = opts.on;
    var socket = null;
    var attempt = 0;
    var timer = null;
    var flushing = false;
    var confirmed = false;
    var stopped = false;
    var retryAt = 0;
    // The id the last session_request offered, and whether the server replaced it (rotation).
    var requested = null;
    var rotated = false;
    // Rate limited: nothing is sent before this time (ms), and one timer resumes the drain.
    var holdUntil = 0;
    var holdTimer = null;
    var sessionTimer = null;
    // "Forget" while offline: the session to end as soon as there is a connection.
    var pendingEnd = null;
    // Bumped on every send and every lost connection, so a late ack from an older socket
    // cannot start a second, concurrent drain of the outbox.
    var sendGeneration = 0;

    function state(name) {
      on.state(name, { attempt: attempt, retryInMs: Math.max(0, retryAt - Date.now()) });
    }

    function start() {
      stopped = false;
      socket = opts.io(opts.url, {
        path: opts.path,
        transports: opts.transports,
        reconnection: false,
        forceNew: true,
        timeout: 10000
      });
      socket.on("connect", onConnect);
      socket.on("disconnect", function (reason) { lost("disconnect: " + reason); });
      socket.on("connect_error", function (err) { lost("connect_error: " + (err && err.message)); });
      socket.on(E.sessionConfirm, onConfirm);
      socket.on(E.sessionRefused, function (body) { on.refused(Protocol.refusal(body)); });
      socket.on(E.sessionRotated, function () { rotated = true; });
      socket.on(E.sessionEnded, function () {
        // Another tab forgot this conversation: the server has let go of this socket too.
        confirmed = false;
        requested = null;
        on.ended();
        requestSession();
      });
      socket.on(E.botUttered, function (body) { on.message(Protocol.fromBotUttered(body)); });
      socket.on(E.userMessage, function (m) { on.message(Protocol.fromStored(m || {})); });
      socket.on(E.resync, function (body) { on.resync(Protocol.resync(body)); });
      socket.on(E.status, function (body) { on.status(Protocol.status(body)); });
      socket.on(E.typing, function (body) { on.typing(Protocol.typing(body)); });
      socket.on(E.ratingRequest, function () { on.ratingRequest(); });
      socket.on(E.error, function (body) {
        // Errors answering an emit come back in its ack too; only report the others here.
        var err = Protocol.error(body);
        if (err.clientId) return;
        // A limit on an event sent with an ack is handled where the ack arrives.
        if (err.code === "rate_limited") on.log("rate limited: " + err.message);
        else on.serverError(err);
      });
      state("connecting");
    }

    function onConnect() {
      attempt = 0;
      confirmed = false;
      state("online");
      if (pendingEnd) endSession(pendingEnd);
      requestSession();
    }

    function requestSession() {
      clearTimeout(sessionTimer);
      sessionTimer = null;
      if (!socket || !socket.connected) return;
      var s = opts.session();
      requested = s.id || null;
      rotated = false;
      socket.emit(E.sessionRequest, Protocol.sessionRequest(s.id, s.lastSeq, s.identity), function (ack) {
        if (!ack || ack.ok !== false) return;
        var err = Protocol.error(ack);
        if (err.code === "rate_limited") {
          on.limited("session", err.retryAfter || 5);
          sessionTimer = setTimeout(requestSession, (err.retryAfter || 5) * 1000);
        } else {
          on.serverError(err);
        }
      });
    }

    function onConfirm(body) {
      // Stock Rasa sends the id as a string; tolerate {session_id} too.
      var id = typeof body === "string" ? body : body && body.session_id;
      if (typeof id !== "string" || !id) return;
      confirmed = true;
      on.session(id, { requested: requested, rotated: rotated });
      flush();
    }

    function endSession(id) {
      pendingEnd = null;
      socket.emit(E.endSession, { session_id: id }, function (ack) {
        if (ack && ack.ok === false) on.log("end_session: " + Protocol.error(ack).message);
      });
    }

    /** "Forget this conversation": end `id` on the server (now, or on the next connection)
     *  and start a new session. */
    function forget(id) {
      confirmed = false;
      if (!id) return requestSession();
      if (socket && socket.connected) {
        endSession(id);
        requestSession();
      } else {
        pendingEnd = id;
      }
    }

    function hold(seconds) {
      holdUntil = Date.now() + seconds * 1000;
      clearTimeout(holdTimer);
      holdTimer = setTimeout(function () { holdTimer = null; flush(); }, seconds * 1000);
    }

    function lost(why) {
      confirmed = false;
      flushing = false;
      clearTimeout(sessionTimer);
      sendGeneration += 1;
      if (stopped || timer) return;
      attempt += 1;
      var exp = Math.min(opts.backoff.maxMs, opts.backoff.baseMs * Math.pow(2, attempt - 1));
      var delay = Math.round(exp * (0.75 + Math.random() * 0.5));
      retryAt = Date.now() + delay;
      on.log("connection lost (" + why + "); retry " + attempt + " in " + delay + " ms");
      state("offline");
      timer = setTimeout(retry, delay);
    }

    function retry() {
      timer = null;
      if (stopped) return;
      retryAt = 0;
      state("connecting");
      socket.connect();
    }

    /** Reconnect now (the browser says it is back online, or the customer asked). */
    function nudge() {
      if (stopped || (socket && socket.connected)) return;
      if (timer) { clearTimeout(timer); timer = null; }
      retry();
    }

    function flush() {
      if (flushing || !confirmed || !socket || !socket.connected || Date.now() < holdUntil) return;
      var next = null, box = opts.outbox();
      for (var i = 0; i < box.length; i++) if (!box[i].error) { next = box[i]; break; }
      if (!next) return;
      flushing = true;
      var generation = ++sendGeneration;
      var body = Protocol.userUttered(next, opts.session().id, opts.metadata(next));
      socket.timeout(opts.ackTimeoutMs).emit(E.userUttered, body, function (err, ack) {
        if (generation !== sendGeneration) return;
        flushing = false;
        if (err) {
          // No ack in time: the message stays queued; the server dedupes by client id.
          on.log("no ack for " + next.clientId + "; will retry");
          setTimeout(flush, opts.backoff.baseMs);
          return;
        }
        var err = ack && ack.ok === false ? Protocol.error(ack) : null;
        if (err && err.code === "rate_limited") {
          // Not stored: it stays first in the outbox and goes again when the server says.
          on.limited("message", err.retryAfter || 5, next);
          hold(err.retryAfter || 5);
          return;
        }
        if (err && err.code === "session_required") {
          // The session went away under us (forgotten in another tab): keep it, start anew.
          confirmed = false;
          requestSession();
          return;
        }
        if (err) {
          on.rejected(next, err);
        } else {
          on.sent(next, ack || {});
        }
        flush();
      });
    }

    function emit(event, body, cb) {
      if (!socket || !socket.connected || !confirmed) {
        if (cb) cb({ ok: false, error: { code: "offline", message: "Not connected." } });
        return false;
      }
      if (cb) {
        socket.timeout(opts.ackTimeoutMs).emit(event, body, function (err, ack) {
          cb(err ? { ok: false, error: { code: "timeout", message: "No answer from the server." } } : ack || { ok: true });
        });
      } else {
        socket.emit(event, body);
      }
      return true;
    }

    function stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      clearTimeout(holdTimer);
      clearTimeout(sessionTimer);
      timer = null;
      if (socket) socket.disconnect();
    }

    return {
      start: start,
      stop: stop,
      flush: flush,
      nudge: nudge,
      emit: emit,
      forget: forget,
      connected: function () { return !!(socket && socket.connected && confirmed); }
    };
  }

  return { create: create };
})();

/* ---- src/view.js ---- */
/* view.js: the widget's DOM. It builds the launcher and panel once, then reconciles the
 * message list by key so new messages are appended (and announced once by the log's live
 * region) rather than re-rendered. It knows nothing about sockets; user actions go out
 * through the `actions` callbacks. */
var View = (function () {
  var uid = 0;

  function h(doc, tag, cls, attrs, text) {
    var el = doc.createElement(tag);
    if (cls) el.className = cls;
    for (var k in attrs || {}) if (attrs[k] != null) el.setAttribute(k, attrs[k]);
    if (text != null) el.textContent = text;
    return el;
  }

  function create(doc, cfg, actions) {
    var S = cfg.strings, id = "sc" + (++uid);
    var root = h(doc, "div", "sc-root", { "data-conn": "connecting", "data-state": "bot" });
    var vars = cfg.colors;
    for (var c in vars) root.style.setProperty("--sc-" + c, vars[c]);

    var launcher = h(doc, "button", "sc-launcher", { type: "button", "aria-expanded": "false", "aria-controls": id + "-panel" });
    var launcherLabel = h(doc, "span", "sc-launcher-label", null, S.open);
    var badge = h(doc, "span", "sc-badge", { hidden: "" });
    launcher.appendChild(h(doc, "span", "sc-launcher-icon", { "aria-hidden": "true" }));
    launcher.appendChild(launcherLabel);
    launcher.appendChild(badge);

    var panel = h(doc, "section", "sc-panel", { id: id + "-panel", role: "dialog", "aria-labelledby": id + "-title", hidden: "" });
    var header = h(doc, "header", "sc-header");
    var titles = h(doc, "div", "sc-titles");
    titles.appendChild(h(doc, "h2", "sc-title", { id: id + "-title" }, cfg.title));
    var subtitle = h(doc, "p", "sc-subtitle", null, cfg.subtitle);
    titles.appendChild(subtitle);
    var conn = h(doc, "p", "sc-conn", { role: "status" }, S.connecting);
    var close = h(doc, "button", "sc-close", { type: "button", "aria-label": S.close }, "\u00d7");
    header.appendChild(titles);
    header.appendChild(conn);
    header.appendChild(close);

    var banner = h(doc, "p", "sc-banner", { role: "status", hidden: "" });
    var log = h(doc, "ol", "sc-log", { role: "log", "aria-live": "polite", "aria-label": S.conversation, tabindex: "0" });
    var typing = h(doc, "p", "sc-typing", { hidden: "" });
    var quick = h(doc, "div", "sc-quick", { role: "group", "aria-label": S.suggestions });
    var rating = h(doc, "div", "sc-rating", { role: "group", "aria-labelledby": id + "-rate", hidden: "" });
    var form = h(doc, "form", "sc-composer");
    var input = h(doc, "textarea", "sc-input", { id: id + "-input", rows: "1", maxlength: String(cfg.maxChars), placeholder: S.placeholder, autocomplete: "off" });
    var send = h(doc, "button", "sc-send", { type: "submit" }, S.send);
    form.appendChild(h(doc, "label", "sc-vh", { "for": id + "-input" }, S.inputLabel));
    form.appendChild(input);
    form.appendChild(send);
    var alert = h(doc, "p", "sc-alert", { role: "alert", hidden: "" });
    // Calm, polite news (a pause before sending, a new conversation): a status, not an alert.
    var notice = h(doc, "p", "sc-notice", { role: "status", hidden: "" });
    var footer = h(doc, "div", "sc-footer");

    [header, banner, log, typing, quick, rating, notice, alert, form, footer].forEach(function (el) { panel.appendChild(el); });
    root.appendChild(panel);
    root.appendChild(launcher);

    var items = {};

    launcher.addEventListener("click", function () { actions.toggle(); });
    close.addEventListener("click", function () { actions.close(); });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); actions.close(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      actions.send(input.value);
    });
    input.addEventListener("keydown", function (e) {
      // Enter sends, Shift+Enter is a new line (the usual chat convention).
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        actions.send(input.value);
      }
    });
    input.addEventListener("input", function () { actions.typing(input.value); });

    function timeText(ts) {
      try {
        return new Date(ts).toLocaleTimeString(cfg.lang, { hour: "2-digit", minute: "2-digit" });
      } catch (e) {
        return new Date(ts).toTimeString().slice(0, 5);
      }
    }

    function who(m) {
      if (m.role === "customer") return S.you;
      if (m.role === "agent") return m.name ? S.agentName.replace("{name}", m.name) : S.agent;
      if (m.role === "system") return S.system;
      return cfg.botName;
    }

    function messageItem(m, displayText) {
      var li = h(doc, "li", "sc-msg sc-from-" + m.role + (m.kind ? " sc-" + m.kind : ""));
      var label = h(doc, "span", "sc-who", null, who(m));
      li.appendChild(label);
      var bubble = h(doc, "div", "sc-bubble");
      SafeText.render(bubble, displayText);
      li.appendChild(bubble);
      if (m.image && SafeText.safeUrl(m.image)) {
        li.appendChild(h(doc, "img", "sc-image", { src: SafeText.safeUrl(m.image), alt: S.image, loading: "lazy" }));
      }
      var meta = h(doc, "p", "sc-meta");
      meta.appendChild(h(doc, "time", null, { datetime: new Date(m.ts).toISOString() }, timeText(m.ts)));
      li.appendChild(meta);
      return li;
    }

    function joinItem(m) {
      var li = h(doc, "li", "sc-join");
      li.appendChild(h(doc, "span", "sc-avatar", { "aria-hidden": "true" }, (m.name || "?").charAt(0).toUpperCase()));
      li.appendChild(h(doc, "span", null, null, S.joined.replace("{name}", m.name || S.agent)));
      return li;
    }

    function pendingItem(item) {
      var m = { role: "customer", ts: item.ts };
      var li = messageItem(m, item.text);
      li.classList.add("sc-pending");
      var meta = li.querySelector(".sc-meta");
      if (item.error) {
        li.classList.add("sc-failed");
        meta.appendChild(h(doc, "span", "sc-state", null, S.notSent + " " + item.error));
        var edit = h(doc, "button", "sc-link", { type: "button" }, S.editResend);
        edit.addEventListener("click", function () { actions.edit(item.clientId); });
        meta.appendChild(edit);
      } else {
        var label = item.held ? S.held : cfg.isOnline() ? S.sending : S.queuedOffline;
        meta.appendChild(h(doc, "span", "sc-state", null, label));
      }
      return li;
    }

    /** Reconcile the list with `messages` (records) followed by `outbox` (pending items). */
    function renderMessages(messages, outbox, display) {
      var wanted = [], seen = {};
      messages.forEach(function (m) {
        var key = "m:" + m.key;
        var sig = key;
        wanted.push({ key: sig, make: function () { return m.kind === "join" ? joinItem(m) : messageItem(m, display(m)); } });
      });
      outbox.forEach(function (item) {
        var sig = "o:" + item.clientId + ":" + (item.error || "") + ":" + cfg.isOnline() + ":" + !!item.held;
        wanted.push({ key: sig, make: function () { return pendingItem(item); } });
      });
      var stick = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      var cursor = log.firstChild;
      wanted.forEach(function (w) {
        seen[w.key] = true;
        var el = items[w.key];
        if (!el) { el = items[w.key] = w.make(); el.setAttribute("data-key", w.key); }
        if (el !== cursor) log.insertBefore(el, cursor);
        else cursor = cursor.nextSibling;
      });
      for (var k in items) {
        if (!seen[k]) { if (items[k].parentNode) log.removeChild(items[k]); delete items[k]; }
      }
      if (stick || !log.lastChild || log.lastChild.classList.contains("sc-from-customer")) log.scrollTop = log.scrollHeight;
    }

    /** Re-rendering a region must not drop keyboard focus on the floor (it would land on
     *  <body>, outside the dialog): keep it in the region, or move it to the text box. */
    function keepFocus(region, fill) {
      var had = region.contains(doc.activeElement);
      fill();
      if (!had) return;
      var next = region.querySelector("button, textarea");
      (next && !region.hidden ? next : input).focus();
    }

    var quickShown = "";
    function renderQuickReplies(list) {
      var sig = JSON.stringify(list);
      if (sig === quickShown) return; // unchanged: keep the buttons (and the focus on one)
      quickShown = sig;
      keepFocus(quick, function () { fillQuickReplies(list); });
    }

    function fillQuickReplies(list) {
      quick.textContent = "";
      list.forEach(function (q) {
        var b = h(doc, "button", "sc-chip", { type: "button" }, q.title);
        b.addEventListener("click", function () { actions.quickReply(q); });
        quick.appendChild(b);
      });
      quick.hidden = list.length === 0;
    }

    function setConnection(state, detail) {
      root.setAttribute("data-conn", state);
      var text = state === "online" ? S.online : state === "connecting" ? S.connecting
        : S.offline.replace("{s}", String(Math.max(1, Math.ceil(detail.retryInMs / 1000))));
      conn.textContent = text;
    }

    function setStatus(st) {
      root.setAttribute("data-state", st.state);
      var text = "";
      if (st.state === "queued") {
        text = S.queued;
        if (st.position) text += " " + S.position.replace("{n}", String(st.position));
        if (st.waitSeconds != null) text += " " + S.wait.replace("{m}", String(Math.max(1, Math.round(st.waitSeconds / 60))));
      } else if (st.followUp) {
        text = S.followUp;
      }
      banner.textContent = text;
      banner.hidden = !text;
      subtitle.textContent = st.state === "agent" && st.agentName ? S.withAgent.replace("{name}", st.agentName) : cfg.subtitle;
    }

    var typingTimer = null;
    function setTyping(t) {
      // A lost "stopped typing" must not leave the indicator on forever.
      clearTimeout(typingTimer);
      if (t) typingTimer = setTimeout(function () { setTyping(null); }, 15000);
      typing.hidden = !t;
      typing.textContent = t ? S.typing.replace("{name}", t.role === "agent" && t.name ? t.name : cfg.botName) : "";
    }

    function setUnread(n) {
      badge.hidden = n === 0;
      badge.textContent = n > 99 ? "99+" : String(n);
      launcher.setAttribute("aria-label", n ? S.openUnread.replace("{n}", String(n)) : S.open);
    }

    function setOpen(open, focus) {
      panel.hidden = !open;
      root.classList.toggle("sc-is-open", open);
      launcher.setAttribute("aria-expanded", String(open));
      launcherLabel.textContent = open ? S.close : S.open;
      if (!focus) return;
      if (open) { input.focus(); log.scrollTop = log.scrollHeight; } else launcher.focus();
    }

    function showAlert(text) {
      alert.textContent = text || "";
      alert.hidden = !text;
    }

    function showNotice(text) {
      notice.textContent = text || "";
      notice.hidden = !text;
    }

    /** "Forget this conversation", then a confirmation in place of the link. */
    function renderFooter(asking) {
      keepFocus(footer, function () {
        footer.textContent = "";
        if (!asking) {
          var ask = h(doc, "button", "sc-link sc-forget", { type: "button" }, S.forget);
          // The safe choice has the focus: Enter twice must not forget anything.
          ask.addEventListener("click", function () { renderFooter(true); footer.querySelector(".sc-forget-no").focus(); });
          footer.appendChild(ask);
          return;
        }
        footer.appendChild(h(doc, "span", "sc-ask", null, S.forgetAsk));
        var yes = h(doc, "button", "sc-link sc-forget-yes", { type: "button" }, S.forgetYes);
        var no = h(doc, "button", "sc-link sc-forget-no", { type: "button" }, S.forgetNo);
        yes.addEventListener("click", function () { renderFooter(false); actions.forget(); });
        no.addEventListener("click", function () { renderFooter(false); });
        footer.appendChild(yes);
        footer.appendChild(no);
      });
    }
    renderFooter(false);

    function renderRating(stage) {
      keepFocus(rating, function () { fillRating(stage); });
    }

    function fillRating(stage) {
      rating.textContent = "";
      rating.hidden = !stage;
      if (!stage) return;
      if (stage === "done") {
        rating.appendChild(h(doc, "p", null, { id: id + "-rate" }, S.rateThanks));
        return;
      }
      if (stage === "awaiting_score") {
        rating.appendChild(h(doc, "p", null, { id: id + "-rate" }, S.rateAsk));
        var row = h(doc, "div", "sc-stars");
        for (var i = 1; i <= 5; i++) {
          (function (score) {
            var b = h(doc, "button", "sc-star", { type: "button", "aria-label": S.rateScore.replace("{n}", String(score)) }, String(score));
            b.addEventListener("click", function () { actions.rate(score, null); });
            row.appendChild(b);
          })(i);
        }
        rating.appendChild(row);
        return;
      }
      rating.appendChild(h(doc, "p", null, { id: id + "-rate" }, S.rateComment));
      var f = h(doc, "form", "sc-rate-form");
      var ta = h(doc, "textarea", "sc-input", { rows: "2", "aria-label": S.rateComment, maxlength: String(cfg.maxChars) });
      var ok = h(doc, "button", "sc-send", { type: "submit" }, S.rateSend);
      f.appendChild(ta);
      f.appendChild(ok);
      f.addEventListener("submit", function (e) {
        e.preventDefault();
        if (ta.value.trim()) actions.rate(null, ta.value.trim());
      });
      rating.appendChild(f);
    }

    (cfg.container || doc.body).appendChild(root);

    return {
      root: root,
      input: input,
      renderMessages: renderMessages,
      renderQuickReplies: renderQuickReplies,
      renderRating: renderRating,
      setConnection: setConnection,
      setStatus: setStatus,
      setTyping: setTyping,
      setUnread: setUnread,
      setOpen: setOpen,
      showAlert: showAlert,
      showNotice: showNotice,
      isOpen: function () { return !panel.hidden; },
      destroy: function () { if (root.parentNode) root.parentNode.removeChild(root); }
    };
  }

  return { create: create };
})();

/* ---- src/widget.js ---- */
/* widget.js: configuration, the public API and the glue between the connection, the
 * transcript and the view. `StoreChat.init(options)` is the one call a shop page makes. */
var STRINGS = {
  open: "Chat with us",
  openUnread: "Chat with us, {n} unread",
  close: "Close chat",
  conversation: "Conversation",
  suggestions: "Suggested replies",
  inputLabel: "Your message",
  placeholder: "Type your message\u2026",
  send: "Send",
  you: "You",
  agent: "Support agent",
  agentName: "{name} (support team)",
  system: "Notice",
  image: "Image from support",
  online: "Online",
  connecting: "Connecting\u2026",
  offline: "Offline, retrying in {s} s",
  sending: "Sending\u2026",
  queuedOffline: "Waiting for connection; will send automatically",
  notSent: "Not sent:",
  editResend: "Edit and resend",
  tooLong: "That message is too long ({n} characters, the limit is {max}). Nothing was sent; please shorten it.",
  typing: "{name} is typing\u2026",
  queued: "Waiting for a person from our team.",
  position: "You're number {n} in the queue.",
  wait: "Expected wait: about {m} min.",
  withAgent: "You're chatting with {name}",
  joined: "{name} has joined the conversation",
  followUp: "A person will follow up by email.",
  restarted: "We couldn't restore your earlier conversation, so a new one has started.",
  expired: "Your earlier conversation had been inactive for a long time, so for your privacy it was closed. This is a new conversation.",
  ended: "That conversation was ended, so a new one has started.",
  endedElsewhere: "This conversation was forgotten in another tab, so a new one has started.",
  slowDown: "You're sending messages faster than we can take them. We'll send the rest in {s} s; nothing is lost.",
  busy: "Many chats are starting from your network right now. We'll connect you in {s} s.",
  held: "Will send in a moment",
  forget: "Forget this conversation",
  forgetAsk: "Remove this conversation from this device and end it?",
  forgetYes: "Forget it",
  forgetNo: "Keep it",
  forgotten: "Done: the conversation was removed from this device and ended. You can start a new one any time.",
  rateAsk: "How did we do? Rate this conversation from 1 (poor) to 5 (excellent).",
  rateScore: "Rate {n} out of 5",
  rateComment: "Anything you'd like to tell us? (optional)",
  rateSend: "Send feedback",
  rateThanks: "Thank you for your feedback."
};

var DEFAULTS = {
  serverUrl: null,
  socketPath: "/socket.io/",
  transports: ["polling", "websocket"],
  title: "Customer support",
  subtitle: "A bot answers at once; a person is a click away.",
  botName: "Support bot",
  greeting: "Hi! I can help with orders, deliveries, returns and payments. What can I do for you?",
  lang: null,
  colors: {},
  strings: {},
  storage: null,
  storageKey: "store-chat",
  signals: {},
  metadata: {},
  startOpen: false,
  container: null,
  maxChars: 4000,
  cacheMessages: 30,
  reconnect: { baseMs: 1000, maxMs: 15000 },
  ackTimeoutMs: 10000,
  io: null,
  debug: false
};

var SIGNAL_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
var MAX_SIGNAL_DETAIL = 512;
var TYPING_EVERY_MS = 2500;

function merge(base, extra) {
  var out = {};
  for (var k in base) out[k] = base[k];
  for (var j in extra || {}) if (extra[j] !== undefined) out[j] = extra[j];
  return out;
}

function createWidget(options, doc) {
  var cfg = merge(DEFAULTS, options);
  cfg.strings = merge(STRINGS, options.strings);
  cfg.reconnect = merge(DEFAULTS.reconnect, options.reconnect);
  cfg.lang = cfg.lang || doc.documentElement.lang || "en";
  cfg.serverUrl = cfg.serverUrl || SCRIPT_ORIGIN || doc.location.origin;
  var io = cfg.io || BUNDLED_IO || window.io;
  if (typeof io !== "function") throw new Error("StoreChat: no socket.io client available");

  var log = function (msg, err) { if (cfg.debug && window.console) console.info("[StoreChat] " + msg, err || ""); };
  var store = SessionStore.create(cfg.storage, cfg.storageKey, log, cfg.cacheMessages);
  var state = store.read();
  var transcript = Transcript.create(state);
  var listeners = {};
  var sentIds = {};
  var status = state.status || { state: "bot" };
  var connState = "connecting";
  var typingSentAt = 0, typingTimer = null, ratingStage = null, conn = null, noticeKind = null;

  function fire(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(detail); } catch (e) { log("listener for " + name + " failed", e); }
    });
  }

  function persist() {
    // Another tab may have queued messages since we last read: keep them (the server
    // dedupes by client id, so adopting them is safe), never overwrite them away.
    var fresh = store.read();
    var known = {};
    state.outbox.forEach(function (o) { known[o.clientId] = true; });
    state.messages.forEach(function (m) { if (m.clientId) known[m.clientId] = true; });
    fresh.outbox.forEach(function (o) { if (!known[o.clientId] && !sentIds[o.clientId]) state.outbox.push(o); });
    state.status = status;
    store.write(state);
  }

  var greeting = { key: "greeting", kind: "greeting", role: "bot", text: cfg.greeting, ts: Date.now(), quickReplies: [] };

  function display(m) {
    if (m.display) return m.display;
    if (m.role === "customer" && m.text.charAt(0) === "/") return transcript.titleFor(m.text) || m.text;
    return m.text;
  }

  function currentQuickReplies() {
    if (state.outbox.length) return [];
    if (status.state === "closed" && ratingStage === "awaiting_score") return [];
    var list = transcript.messages();
    for (var i = list.length - 1; i >= 0; i--) {
      var m = list[i];
      if (m.kind === "join") continue;
      return m.role === "customer" ? [] : m.quickReplies || [];
    }
    return [];
  }

  var receipted = { delivered: 0, read: 0 };
  function receipts() {
    // Tell the agent what reached the screen and what was seen (only ever increasing).
    var seq = transcript.lastSeq();
    var states = view.isOpen() && !doc.hidden ? ["delivered", "read"] : ["delivered"];
    states.forEach(function (st) {
      if (seq > receipted[st] && conn && conn.emit(Protocol.EVENTS.receipt, { seq: seq, state: st })) receipted[st] = seq;
    });
  }

  function render() {
    var messages = transcript.messages();
    view.renderMessages(messages.length || !cfg.greeting ? messages : [greeting], state.outbox, display);
    view.renderQuickReplies(currentQuickReplies());
    if (view.isOpen() && !doc.hidden) transcript.markRead();
    view.setUnread(view.isOpen() ? 0 : transcript.unread());
    receipts();
  }

  function update() {
    render();
    persist();
  }

  function setOpen(open, focus) {
    state.open = open;
    view.setOpen(open, focus);
    update();
    fire(open ? "open" : "close", {});
  }

  function send(text, payload) {
    text = String(text == null ? "" : text);
    if (!text.trim()) return { ok: false, reason: "empty" };
    if (text.length > cfg.maxChars) {
      view.showAlert(cfg.strings.tooLong.replace("{n}", String(text.length)).replace("{max}", String(cfg.maxChars)));
      return { ok: false, reason: "too_long" };
    }
    view.showAlert("");
    // News about the last conversation has been read once the customer writes again.
    if (noticeKind === "forget" || noticeKind === "refused") clearNotice(noticeKind);
    var item = transcript.enqueue(text.trim(), payload);
    if (!payload) view.input.value = "";
    stopTyping();
    update();
    conn.flush();
    return { ok: true, clientId: item.clientId };
  }

  function typingChanged(value) {
    if (!value) return stopTyping();
    var now = Date.now();
    if (now - typingSentAt > TYPING_EVERY_MS) {
      typingSentAt = now;
      conn.emit(Protocol.EVENTS.typing, { typing: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_EVERY_MS * 2);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (!typingSentAt) return;
    typingSentAt = 0;
    conn.emit(Protocol.EVENTS.typing, { typing: false });
  }

  function rate(score, comment) {
    var body = score != null ? { score: score } : { comment: comment };
    conn.emit(Protocol.EVENTS.rating, body, function (ack) {
      if (ack && ack.ok === false) view.showAlert(Protocol.error(ack).message);
    });
  }

  function notice(kind, text) {
    noticeKind = kind;
    view.showNotice(text);
  }

  function clearNotice(kind) {
    if (noticeKind !== kind) return;
    noticeKind = null;
    view.showNotice("");
  }

  /** Empty this page's copy of the conversation (in place: the transcript holds `state`). */
  function resetLocal() {
    store.clear();
    transcript.reset();
    state.sessionId = null;
    state.rotatedFrom = null;
    state.outbox = [];
    state.offers = {};
    state.signals = [];
    status = { state: "bot" };
    ratingStage = null;
    receipted = { delivered: 0, read: 0 };
    view.showAlert("");
    view.setStatus(status);
    view.renderRating(null);
    render();
  }

  /** "Forget this conversation": gone from this device, and ended on the server. */
  function forget() {
    var old = state.sessionId;
    resetLocal();
    conn.forget(old);
    notice("forget", cfg.strings.forgotten);
    fire("forget", {});
    return { ok: true };
  }

  function session() {
    // Another tab may hold a newer id for this conversation (rotated) or another
    // conversation altogether: follow it, and keep the transcript only in the first case.
    var stored = store.read();
    if (stored.sessionId && stored.sessionId !== state.sessionId) {
      if (state.sessionId && stored.rotatedFrom !== state.sessionId) transcript.reset();
      state.sessionId = stored.sessionId;
      state.rotatedFrom = stored.rotatedFrom;
    }
    return { id: state.sessionId, lastSeq: transcript.resumeSeq(), identity: identity };
  }

  function edit(clientId) {
    var list = state.outbox;
    for (var i = 0; i < list.length; i++) {
      if (list[i].clientId !== clientId) continue;
      view.input.value = list[i].text;
      sentIds[clientId] = true; // settled here: no other tab's copy should bring it back
      list.splice(i, 1);
      view.showAlert("");
      update();
      view.input.focus();
      return;
    }
  }

  function signal(name, detail) {
    if (typeof name !== "string" || !SIGNAL_NAME.test(name)) {
      log("signal ignored: the name must be 1-64 letters, digits or _.:-");
      return { ok: false, reason: "bad_name" };
    }
    var json = "";
    try { json = JSON.stringify(detail === undefined ? null : detail) || "null"; } catch (e) { json = "null"; }
    var entry = { name: name, at: Date.now(), detail: json.length <= MAX_SIGNAL_DETAIL ? JSON.parse(json) : { truncated: true } };
    state.signals = state.signals.concat([entry]).slice(-5);
    var offer = cfg.signals[name];
    var offered = false;
    if (offer && offer.text && (offer.repeat || !state.offers[name])) {
      state.offers[name] = entry.at;
      transcript.add({
        key: "offer:" + name + ":" + entry.at, kind: "offer", role: "bot", text: String(offer.text),
        quickReplies: Array.isArray(offer.quickReplies) ? offer.quickReplies : [], ts: entry.at
      });
      offered = true;
      // Open without taking focus: the customer may be typing in the shop's own form.
      if (!view.isOpen()) setOpen(true, false);
    }
    update();
    fire("signal", { name: name, detail: entry.detail, offered: offered });
    return { ok: true, offered: offered };
  }

  function metadataFor() {
    // Recent struggle signals travel with the next message so the bot knows the context.
    var meta = merge(cfg.metadata, {});
    if (state.signals.length) meta.signals = state.signals;
    return meta;
  }

  var view = View.create(doc, merge(cfg, { isOnline: function () { return conn && conn.connected(); } }), {
    toggle: function () { setOpen(!view.isOpen(), true); },
    close: function () { setOpen(false, true); },
    send: function (text) { send(text, null); },
    quickReply: function (q) { send(q.title, q.payload); },
    typing: typingChanged,
    rate: rate,
    edit: edit,
    forget: forget
  });

  conn = Connection.create({
    io: io,
    url: cfg.serverUrl,
    path: cfg.socketPath,
    transports: cfg.transports,
    backoff: cfg.reconnect,
    ackTimeoutMs: cfg.ackTimeoutMs,
    session: session,
    outbox: function () { return state.outbox; },
    metadata: metadataFor,
    on: {
      log: log,
      state: function (name, detail) {
        connState = name;
        view.setConnection(name, detail);
        if (name !== "online") view.setTyping(null);
        render();
        fire("connection", { state: name, attempt: detail.attempt, retryInMs: detail.retryInMs });
      },
      session: function (id, how) {
        // A new id for the same conversation (rotation) keeps the transcript; a refused one
        // starts a fresh one.
        if (how.rotated) state.rotatedFrom = how.requested;
        else if (how.requested && how.requested !== id) { transcript.reset(); state.rotatedFrom = null; }
        state.sessionId = id;
        clearNotice("session");
        update();
      },
      refused: function (why) {
        if (why.reason === "session_expired") notice("refused", cfg.strings.expired);
        else if (why.reason === "session_ended") notice("refused", cfg.strings.ended);
        else view.showAlert(cfg.strings.restarted);
      },
      ended: function () {
        resetLocal();
        notice("refused", cfg.strings.endedElsewhere);
      },
      limited: function (kind, seconds, item) {
        var text = kind === "session" ? cfg.strings.busy : cfg.strings.slowDown;
        notice(kind, text.replace("{s}", String(seconds)));
        if (item) item.held = true;
        render();
      },
      message: function (record) {
        var added = transcript.add(record);
        if (record.role !== "customer") view.setTyping(null);
        if (added) {
          update();
          fire("message", { role: record.role, name: record.name, text: record.text, seq: record.seq });
        }
      },
      resync: function (body) {
        var added = 0;
        body.messages.forEach(function (m) { if (transcript.add(m)) added++; });
        if (added) update();
      },
      sent: function (item, ack) {
        sentIds[item.clientId] = true;
        clearNotice("message");
        transcript.add({
          id: typeof ack.message_id === "string" ? ack.message_id : null,
          seq: typeof ack.seq === "number" ? ack.seq : null,
          role: "customer", text: item.payload || item.text, display: item.text,
          clientId: item.clientId, ts: item.ts, quickReplies: []
        });
        transcript.confirmOutbox(item.clientId);
        update();
      },
      rejected: function (item, err) {
        item.error = err.message;
        view.showAlert(cfg.strings.notSent + " " + err.message);
        update();
      },
      status: function (st) {
        var joined = st.state === "agent" && st.agentName && (status.state !== "agent" || status.agentName !== st.agentName);
        if (joined) transcript.add({ key: "join:" + st.agentName + ":" + Date.now(), kind: "join", role: "agent", name: st.agentName, text: "", ts: Date.now() });
        status = st;
        ratingStage = st.state === "closed" ? st.ratingStage : null;
        view.setStatus(st);
        view.renderRating(ratingStage);
        update();
        fire("status", st);
      },
      typing: function (t) { view.setTyping(t.on && t.role !== "customer" ? t : null); },
      ratingRequest: function () {
        ratingStage = "awaiting_score";
        view.renderRating(ratingStage);
        render();
      },
      serverError: function (err) {
        view.showAlert(err.message);
        fire("error", err);
      }
    }
  });

  // Who the shop's server says the customer is: kept in memory only (never in storage), sent
  // with every session_request and checked by the gateway; a browser cannot forge it.
  var identity = validIdentity(cfg.identity);
  function identify(customerId, hmac, cb) {
    var claim = validIdentity({ customerId: customerId, hmac: hmac });
    if (!claim) {
      var bad = { ok: false, error: { code: "invalid_identity", message: "identify(customerId, hmac) needs two non-empty strings." } };
      if (cb) cb(bad);
      return bad;
    }
    identity = claim;
    var sent = conn.emit("identify", Protocol.identityBody(claim), function (ack) {
      if (!ack || !ack.ok) fire("error", (ack && ack.error) || { code: "invalid_identity" });
      if (cb) cb(ack);
    });
    // Not connected yet: the next session_request carries it.
    return { ok: true, sent: sent };
  }

  function onVisible() { if (!doc.hidden) render(); }
  function onOnline() { conn.nudge(); }
  doc.addEventListener("visibilitychange", onVisible);
  window.addEventListener("online", onOnline);

  view.setStatus(status);
  view.setOpen(!!(state.open || cfg.startOpen), false);
  render();
  conn.start();

  return {
    open: function () { setOpen(true, true); },
    close: function () { setOpen(false, true); },
    toggle: function () { setOpen(!view.isOpen(), true); },
    send: function (text) { return send(text, null); },
    identify: identify,
    signal: signal,
    forget: forget,
    on: function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); return this; },
    off: function (name, fn) { listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; }); return this; },
    state: function () {
      return { connection: connState, sessionId: state.sessionId, lastSeq: transcript.lastSeq(), outbox: state.outbox.length, handoff: status };
    },
    destroy: function () {
      conn.stop();
      doc.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("online", onOnline);
      view.destroy();
    }
  };
}

function validIdentity(raw) {
  if (!raw || typeof raw.customerId !== "string" || typeof raw.hmac !== "string") return null;
  if (!raw.customerId || !raw.hmac) return null;
  return { customerId: raw.customerId, hmac: raw.hmac };
}

function injectCss(doc, nonce) {
  if (doc.getElementById("store-chat-css")) return;
  var style = doc.createElement("style");
  style.id = "store-chat-css";
  if (nonce) style.setAttribute("nonce", nonce);
  style.textContent = CSS;
  doc.head.appendChild(style);
}

/* The global: calls made before init (signals, listeners) are queued, as the host page may
 * load the script asynchronously. */
var pending = { signals: [], listeners: [], identity: null };
var instance = null;

var StoreChat = {
  version: VERSION,
  init: function (options) {
    if (instance) instance.destroy();
    injectCss(document, (options || {}).cssNonce);
    instance = createWidget(options || {}, document);
    pending.listeners.forEach(function (l) { instance.on(l[0], l[1]); });
    pending.signals.forEach(function (s) { instance.signal(s[0], s[1]); });
    if (pending.identity) instance.identify(pending.identity[0], pending.identity[1]);
    pending = { signals: [], listeners: [], identity: null };
    return instance;
  },
  signal: function (name, detail) {
    if (instance) return instance.signal(name, detail);
    pending.signals.push([name, detail]);
    return { ok: true, offered: false, queued: true };
  },
  /* A shop whose customer is logged in: its server signs the customer id (HMAC-SHA256 with
   * SHOP_IDENTITY_SECRET) and the page passes both here. */
  identify: function (customerId, hmac, cb) {
    if (instance) return instance.identify(customerId, hmac, cb);
    pending.identity = [customerId, hmac];
    return { ok: true, queued: true };
  },
  on: function (name, fn) {
    if (instance) instance.on(name, fn); else pending.listeners.push([name, fn]);
    return StoreChat;
  },
  open: function () { if (instance) instance.open(); },
  forget: function () { return instance ? instance.forget() : { ok: false, reason: "not_started" }; },
  close: function () { if (instance) instance.close(); },
  instance: function () { return instance; }
};

window.StoreChat = StoreChat;
})();
