/* Live countdown to a call's deadline. No dependencies.
 *
 * Every element with data-deadline (an ISO 8601 date-time with its offset) shows the time left, updated once a
 * second: "12 days 04:03:02". The server already wrote a text into the element, which stays when JavaScript
 * is off. The words come translated from the page: data-days-one, data-days-few and data-days-other hold
 * "1 day", "2 days" and "5 days" in the page's language (chosen with the language's plural rules), and
 * data-ended the text to show once the deadline has passed.
 */
(function () {
  "use strict";

  var elements = Array.prototype.slice.call(document.querySelectorAll("[data-deadline]"));
  if (!elements.length) {
    return;
  }

  var plurals = null;
  try {
    plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  } catch (error) {
    plurals = null;
  }

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function days(element, count) {
    var category = plurals ? plurals.select(count) : count === 1 ? "one" : "other";
    var pattern = element.getAttribute("data-days-" + category) || element.getAttribute("data-days-other") || "";
    return pattern.replace(/\d+/, String(count));
  }

  function render(element, now) {
    var deadline = Date.parse(element.getAttribute("data-deadline"));
    if (isNaN(deadline)) {
      return false; // leave the server's text
    }
    var left = Math.floor((deadline - now) / 1000);
    if (left <= 0) {
      element.textContent = element.getAttribute("data-ended") || "";
      return false;
    }
    var dayCount = Math.floor(left / 86400);
    var clock = pad(Math.floor((left % 86400) / 3600)) + ":" + pad(Math.floor((left % 3600) / 60)) + ":" + pad(left % 60);
    element.textContent = dayCount > 0 ? days(element, dayCount) + " " + clock : clock;
    return true;
  }

  function tick() {
    var now = Date.now();
    elements = elements.filter(function (element) {
      return render(element, now);
    });
    if (!elements.length) {
      window.clearInterval(timer);
    }
  }

  var timer = window.setInterval(tick, 1000);
  tick();
})();
