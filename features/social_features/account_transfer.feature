@CSW-SOC-5
Feature: An account cannot change hands
  A child's account with many likes is worth money on the gray market. The
  watch re-binds to another guardian only with the current guardian's
  verification, and a re-binding wipes the child's posts and the likes they
  drew: nothing of the account's standing passes to a buyer. A verification
  code approves one action, for a short while: a code seen once, or shown
  long ago, re-binds nothing; the guardian's app then shows a new one, which
  does. Once re-bound, the former guardian cannot take
  the watch back without the new guardian either.

  Background:
    Given a watch bound to its guardian
    And the child has posted "Our class won the relay"
    And the child's post has drawn likes from 3 friends

  Scenario: A buyer cannot re-bind the watch without the guardian
    When a buyer tries to re-bind the watch without the guardian's verification
    Then the watch refuses
    And the watch is still bound to its guardian

  Scenario: A guessed verification code does not re-bind the watch
    When a buyer tries to re-bind the watch with a guessed verification code
    Then the watch refuses
    And the watch is still bound to its guardian

  Scenario: A verified re-binding leaves the buyer no posts and no likes
    When the guardian gives a buyer the verification code and the buyer re-binds the watch
    Then the watch is bound to the buyer
    And the child's posts and the likes they drew are gone

  Scenario: A code used once does not re-bind the watch, a new one does
    When the child factory-resets the watch with a code the guardian's app shows
    And a buyer tries to re-bind the watch with that same code
    Then the watch refuses
    And the watch is still bound to its guardian
    When the guardian gives a buyer the verification code and the buyer re-binds the watch
    Then the watch is bound to the buyer

  Scenario: A code shown long ago does not re-bind the watch, a new one does
    When a buyer tries to re-bind the watch with a code the guardian's app showed 11 minutes ago
    Then the watch refuses
    And the watch is still bound to its guardian
    When the guardian gives a buyer the verification code and the buyer re-binds the watch
    Then the watch is bound to the buyer

  Scenario: The former guardian cannot take the watch back without verification
    When the guardian gives a buyer the verification code and the buyer re-binds the watch
    And the former guardian tries to bind the watch again
    Then the watch refuses
    And the watch is bound to the buyer

  Scenario: The former guardian's app is shown no verification code
    When the guardian gives a buyer the verification code and the buyer re-binds the watch
    And the former guardian's app asks the watch for a verification code
    Then the watch refuses
    And the watch is bound to the buyer
